ALTER TABLE "attempts" ADD COLUMN "prompt_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "completion_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "usage_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "cost" numeric(24, 12) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "continued_at" integer;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "hedged" boolean DEFAULT false NOT NULL;