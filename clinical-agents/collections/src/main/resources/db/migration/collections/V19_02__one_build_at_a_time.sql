-- At most one version of a collection is being built: two builds started at the same moment cannot both pass the
-- check that no build is running; the second insert fails here and its caller is told to wait.
create unique index collection_version_one_building on collection_version (collection) where state = 'BUILDING';
