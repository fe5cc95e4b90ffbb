-- Changes of every partition arrive under the partitioned table's name.
alter publication supabase_realtime set (publish_via_partition_root = true);
