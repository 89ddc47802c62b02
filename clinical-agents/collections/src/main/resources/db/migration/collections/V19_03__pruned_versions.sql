-- The files of a superseded or failed version are deleted once every instance has had time to switch away from it:
-- an item an admin removed (a patient's withdrawal among them) must not stay readable in an older version's files.
-- The row stays, with its counts, rejections and evaluations, and says when its files were deleted.
alter table collection_version add column superseded_at timestamptz;
alter table collection_version add column pruned_at timestamptz;
update collection_version set superseded_at = coalesce(finished_at, created_at) where state = 'SUPERSEDED';
