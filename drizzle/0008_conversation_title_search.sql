-- pg_trgm ships with PostgreSQL (contrib, a trusted extension) and is loaded into PGlite by src/db/database.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "completions_response_message_idx" ON "completions" USING btree ("response_message_id");--> statement-breakpoint
CREATE INDEX "conversations_title_trgm_idx" ON "conversations" USING gin ("title" gin_trgm_ops);