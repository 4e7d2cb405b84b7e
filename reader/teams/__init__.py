"""Team work on one dataset: agreement, merging stores, adjudication."""
