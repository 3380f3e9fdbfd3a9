CREATE TABLE "usage_daily" (
	"day" timestamp with time zone NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"kind" text NOT NULL,
	"requests" bigint NOT NULL,
	"errors" bigint NOT NULL,
	"prompt_tokens" bigint NOT NULL,
	"completion_tokens" bigint NOT NULL,
	"reasoning_tokens" bigint NOT NULL,
	"cached_tokens" bigint NOT NULL,
	"input_cost" numeric NOT NULL,
	"output_cost" numeric NOT NULL,
	"search_cost" numeric NOT NULL,
	"total_cost" numeric NOT NULL,
	"latency_sum" bigint NOT NULL,
	"ttft_sum" bigint NOT NULL,
	"ttft_count" bigint NOT NULL,
	"latency_counts" jsonb NOT NULL,
	"ttft_counts" jsonb NOT NULL,
	CONSTRAINT "usage_daily_day_provider_model_kind_pk" PRIMARY KEY("day","provider","model","kind")
);
--> statement-breakpoint
CREATE TABLE "usage_dirty_days" (
	"day" timestamp with time zone PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL
);
--> statement-breakpoint
-- Triggers keep usage_dirty_days: a day with a new, changed or deleted completion is read
-- from completions until src/store/usage-rollup.ts has rolled it up again.
-- Rows of the current UTC day mark it once (DO NOTHING takes no row lock, so concurrent
-- writers never wait on each other here); a row for an earlier day bumps that day's version.
CREATE FUNCTION usage_mark_inserted_days() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  today timestamptz := date_trunc('day', now(), 'UTC');
BEGIN
  INSERT INTO usage_dirty_days (day)
    SELECT DISTINCT date_trunc('day', created_at, 'UTC') FROM new_rows WHERE created_at >= today
    ON CONFLICT (day) DO NOTHING;
  INSERT INTO usage_dirty_days (day)
    SELECT DISTINCT date_trunc('day', created_at, 'UTC') FROM new_rows WHERE created_at < today
    ON CONFLICT (day) DO UPDATE SET version = usage_dirty_days.version + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION usage_mark_changed_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_dirty_days (day)
    SELECT DISTINCT date_trunc('day', created_at, 'UTC') FROM old_rows
    ON CONFLICT (day) DO UPDATE SET version = usage_dirty_days.version + 1;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO usage_dirty_days (day)
      SELECT DISTINCT date_trunc('day', created_at, 'UTC') FROM new_rows
      ON CONFLICT (day) DO UPDATE SET version = usage_dirty_days.version + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER completions_usage_inserted AFTER INSERT ON completions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_mark_inserted_days();
--> statement-breakpoint
CREATE TRIGGER completions_usage_updated AFTER UPDATE ON completions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_mark_changed_days();
--> statement-breakpoint
CREATE TRIGGER completions_usage_deleted AFTER DELETE ON completions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_mark_changed_days();
--> statement-breakpoint
-- Every day that already has completions is rolled up after this migration.
INSERT INTO usage_dirty_days (day)
  SELECT DISTINCT date_trunc('day', created_at, 'UTC') FROM completions ON CONFLICT (day) DO NOTHING;
