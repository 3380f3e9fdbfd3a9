CREATE TABLE "route_embeddings" (
	"model" text NOT NULL,
	"text" text NOT NULL,
	"vector" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "route_embeddings_model_text_pk" PRIMARY KEY("model","text")
);
