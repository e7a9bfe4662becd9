"""Questions over the whole library: duplicate groups, visual clusters, label search."""
