DROP INDEX "conversations_key_activity_idx";--> statement-breakpoint
CREATE INDEX "conversations_activity_idx" ON "conversations" USING btree ("last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "conversations_key_activity_idx" ON "conversations" USING btree ("api_key_id","last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST);