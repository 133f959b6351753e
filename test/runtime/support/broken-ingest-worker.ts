/** A test-only ingest worker module that throws while it loads: every worker started from it dies at once. */
throw new Error('this worker cannot start');
