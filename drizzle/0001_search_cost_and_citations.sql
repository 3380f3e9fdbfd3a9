ALTER TABLE "completions" ADD COLUMN "search_cost" numeric(24, 12) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "citations" jsonb;