-- What a group calls its children ("Pods", "regions"), so a page can say "Sell — all Pods".
ALTER TABLE components ADD COLUMN children_label TEXT;
