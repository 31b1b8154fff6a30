package server

// pg15Settings are PostgreSQL 15's run-time parameters that streamsqld
// accepts without acting on them, so that tools can SET and SHOW them as
// they do against PostgreSQL (SET enable_seqscan = off, SHOW work_mem).
// Generated from a PostgreSQL 15 server's pg_settings:
//
//	SELECT name, current_setting(name), vartype, context,
//	       array_to_string(enumvals, ','), short_desc
//	FROM pg_settings ORDER BY name
//
// leaving out the parameters streamsqld handles itself (vars.go) and those
// about files, replication, WAL, logging and the machine, which would say
// nothing true about streamsqld. settable marks the user and superuser
// context, which SET may change.
var pg15Settings = []pg15Setting{
	{name: "allow_system_table_mods", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Allows modifications of the structure of system tables."},
	{name: "array_nulls", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enable input of NULL elements in arrays."},
	{name: "backend_flush_after", def: "0", vartype: "integer", settable: true, enumvals: "", description: "Number of pages after which previously performed writes are flushed to disk."},
	{name: "backslash_quote", def: "safe_encoding", vartype: "enum", settable: true, enumvals: "safe_encoding,on,off", description: "Sets whether \"\\'\" is allowed in string literals."},
	{name: "check_function_bodies", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE."},
	{name: "client_connection_check_interval", def: "0", vartype: "integer", settable: true, enumvals: "", description: "Sets the time interval between checks for disconnection while running queries."},
	{name: "commit_delay", def: "0", vartype: "integer", settable: true, enumvals: "", description: "Sets the delay in microseconds between transaction commit and flushing WAL to disk."},
	{name: "commit_siblings", def: "5", vartype: "integer", settable: true, enumvals: "", description: "Sets the minimum number of concurrent open transactions required before performing commit_delay."},
	{name: "composite_type_mismatch", def: "error", vartype: "enum", settable: true, enumvals: "error,warn,disabled", description: "Sets how version mismatches of composite values are handled."},
	{name: "compute_query_id", def: "auto", vartype: "enum", settable: true, enumvals: "auto,regress,on,off", description: "Enables in-core computation of query identifiers."},
	{name: "constraint_exclusion", def: "partition", vartype: "enum", settable: true, enumvals: "partition,on,off", description: "Enables the planner to use constraints to optimize queries."},
	{name: "cpu_index_tuple_cost", def: "0.005", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of processing each index entry during an index scan."},
	{name: "cpu_operator_cost", def: "0.0025", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of processing each operator or function call."},
	{name: "cpu_tuple_cost", def: "0.01", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of processing each tuple (row)."},
	{name: "cursor_tuple_fraction", def: "0.1", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the fraction of a cursor's rows that will be retrieved."},
	{name: "deadlock_timeout", def: "1s", vartype: "integer", settable: true, enumvals: "", description: "Sets the time to wait on a lock before checking for deadlock."},
	{name: "default_statistics_target", def: "100", vartype: "integer", settable: true, enumvals: "", description: "Sets the default statistics target."},
	{name: "default_table_access_method", def: "heap", vartype: "string", settable: true, enumvals: "", description: "Sets the default table access method for new tables."},
	{name: "default_tablespace", def: "", vartype: "string", settable: true, enumvals: "", description: "Sets the default tablespace to create tables and indexes in."},
	{name: "default_text_search_config", def: "pg_catalog.english", vartype: "string", settable: true, enumvals: "", description: "Sets default text search configuration."},
	{name: "default_toast_compression", def: "pglz", vartype: "enum", settable: true, enumvals: "pglz,lz4", description: "Sets the default compression method for compressible values."},
	{name: "default_transaction_deferrable", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Sets the default deferrable status of new transactions."},
	{name: "effective_cache_size", def: "4GB", vartype: "integer", settable: true, enumvals: "", description: "Sets the planner's assumption about the total size of the data caches."},
	{name: "enable_async_append", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of async append plans."},
	{name: "enable_bitmapscan", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of bitmap-scan plans."},
	{name: "enable_gathermerge", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of gather merge plans."},
	{name: "enable_hashagg", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of hashed aggregation plans."},
	{name: "enable_hashjoin", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of hash join plans."},
	{name: "enable_incremental_sort", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of incremental sort steps."},
	{name: "enable_indexonlyscan", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of index-only-scan plans."},
	{name: "enable_indexscan", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of index-scan plans."},
	{name: "enable_material", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of materialization."},
	{name: "enable_memoize", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of memoization."},
	{name: "enable_mergejoin", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of merge join plans."},
	{name: "enable_nestloop", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of nested-loop join plans."},
	{name: "enable_parallel_append", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of parallel append plans."},
	{name: "enable_parallel_hash", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of parallel hash plans."},
	{name: "enable_partition_pruning", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables plan-time and execution-time partition pruning."},
	{name: "enable_partitionwise_aggregate", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Enables partitionwise aggregation and grouping."},
	{name: "enable_partitionwise_join", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Enables partitionwise join."},
	{name: "enable_seqscan", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of sequential-scan plans."},
	{name: "enable_sort", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of explicit sort steps."},
	{name: "enable_tidscan", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enables the planner's use of TID scan plans."},
	{name: "escape_string_warning", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Warn about backslash escapes in ordinary string literals."},
	{name: "force_parallel_mode", def: "off", vartype: "enum", settable: true, enumvals: "off,on,regress", description: "Forces use of parallel query facilities."},
	{name: "from_collapse_limit", def: "8", vartype: "integer", settable: true, enumvals: "", description: "Sets the FROM-list size beyond which subqueries are not collapsed."},
	{name: "geqo_effort", def: "5", vartype: "integer", settable: true, enumvals: "", description: "GEQO: effort is used to set the default for other GEQO parameters."},
	{name: "geqo_generations", def: "0", vartype: "integer", settable: true, enumvals: "", description: "GEQO: number of iterations of the algorithm."},
	{name: "geqo_pool_size", def: "0", vartype: "integer", settable: true, enumvals: "", description: "GEQO: number of individuals in the population."},
	{name: "geqo_seed", def: "0", vartype: "real", settable: true, enumvals: "", description: "GEQO: seed for random path selection."},
	{name: "geqo_selection_bias", def: "2", vartype: "real", settable: true, enumvals: "", description: "GEQO: selective pressure within the population."},
	{name: "geqo_threshold", def: "12", vartype: "integer", settable: true, enumvals: "", description: "Sets the threshold of FROM items beyond which GEQO is used."},
	{name: "gin_fuzzy_search_limit", def: "0", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum allowed result for exact search by GIN."},
	{name: "gin_pending_list_limit", def: "4MB", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum size of the pending list for GIN index."},
	{name: "hash_mem_multiplier", def: "2", vartype: "real", settable: true, enumvals: "", description: "Multiple of work_mem to use for hash tables."},
	{name: "idle_session_timeout", def: "0", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum allowed idle time between queries, when not in a transaction."},
	{name: "jit_above_cost", def: "100000", vartype: "real", settable: true, enumvals: "", description: "Perform JIT compilation if query is more expensive."},
	{name: "jit_expressions", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Allow JIT compilation of expressions."},
	{name: "jit_inline_above_cost", def: "500000", vartype: "real", settable: true, enumvals: "", description: "Perform JIT inlining if query is more expensive."},
	{name: "jit_optimize_above_cost", def: "500000", vartype: "real", settable: true, enumvals: "", description: "Optimize JIT-compiled functions if query is more expensive."},
	{name: "jit_tuple_deforming", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Allow JIT compilation of tuple deforming."},
	{name: "join_collapse_limit", def: "8", vartype: "integer", settable: true, enumvals: "", description: "Sets the FROM-list size beyond which JOIN constructs are not flattened."},
	{name: "lo_compat_privileges", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Enables backward compatibility mode for privilege checks on large objects."},
	{name: "logical_decoding_work_mem", def: "64MB", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum memory to be used for logical decoding."},
	{name: "maintenance_work_mem", def: "64MB", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum memory to be used for maintenance operations."},
	{name: "max_parallel_maintenance_workers", def: "2", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum number of parallel processes per maintenance operation."},
	{name: "max_parallel_workers_per_gather", def: "2", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum number of parallel processes per executor node."},
	{name: "max_stack_depth", def: "2MB", vartype: "integer", settable: true, enumvals: "", description: "Sets the maximum stack depth, in kilobytes."},
	{name: "min_parallel_index_scan_size", def: "512kB", vartype: "integer", settable: true, enumvals: "", description: "Sets the minimum amount of index data for a parallel scan."},
	{name: "min_parallel_table_scan_size", def: "8MB", vartype: "integer", settable: true, enumvals: "", description: "Sets the minimum amount of table data for a parallel scan."},
	{name: "parallel_leader_participation", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Controls whether Gather and Gather Merge also run subplans."},
	{name: "parallel_setup_cost", def: "1000", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of starting up worker processes for parallel query."},
	{name: "parallel_tuple_cost", def: "0.1", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of passing each tuple (row) from worker to leader backend."},
	{name: "plan_cache_mode", def: "auto", vartype: "enum", settable: true, enumvals: "auto,force_generic_plan,force_custom_plan", description: "Controls the planner's selection of custom or generic plan."},
	{name: "random_page_cost", def: "4", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of a nonsequentially fetched disk page."},
	{name: "recursive_worktable_factor", def: "10", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the average size of a recursive query's working table."},
	{name: "seq_page_cost", def: "1", vartype: "real", settable: true, enumvals: "", description: "Sets the planner's estimate of the cost of a sequentially fetched disk page."},
	{name: "session_replication_role", def: "origin", vartype: "enum", settable: true, enumvals: "origin,replica,local", description: "Sets the session's behavior for triggers and rewrite rules."},
	{name: "synchronize_seqscans", def: "on", vartype: "bool", settable: true, enumvals: "", description: "Enable synchronized sequential scans."},
	{name: "temp_tablespaces", def: "", vartype: "string", settable: true, enumvals: "", description: "Sets the tablespace(s) to use for temporary tables and sort files."},
	{name: "transaction_deferrable", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures."},
	{name: "transform_null_equals", def: "off", vartype: "bool", settable: true, enumvals: "", description: "Treats \"expr=NULL\" as \"expr IS NULL\"."},
	{name: "xmlbinary", def: "base64", vartype: "enum", settable: true, enumvals: "base64,hex", description: "Sets how binary values are to be encoded in XML."},
	{name: "xmloption", def: "content", vartype: "enum", settable: true, enumvals: "content,document", description: "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments."},
}

// pg15Setting is one parameter of pg15Settings.
type pg15Setting struct {
	name, def, vartype string
	settable           bool
	enumvals           string // comma-separated, for vartype enum
	description        string
}
