-- Automatic dispatch per category (issue 4): an order of a category that
-- has it goes to the best suggestion (or a supply order to its one
-- supplier) as it is taken; the operator steers the rest.
ALTER TABLE catalogue_categories ADD COLUMN auto_dispatch BOOLEAN NOT NULL DEFAULT FALSE;
