"""curate's own Presidio recognizers, one file each. Pattern recognizers that need no
code (Reddit usernames, subreddits, social handles) live in `../recognizers.yaml`."""
