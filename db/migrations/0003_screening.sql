CREATE TABLE `screening_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`record_id` integer NOT NULL,
	`stage` text NOT NULL,
	`reviewer_id` integer NOT NULL,
	`decision` text NOT NULL,
	`reason_id` integer,
	`note` text DEFAULT '' NOT NULL,
	`screening_order` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`record_id`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reason_id`) REFERENCES `screening_exclusion_reasons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `screening_decisions_uq` ON `screening_decisions` (`record_id`,`stage`,`reviewer_id`);--> statement-breakpoint
CREATE INDEX `screening_decisions_review_idx` ON `screening_decisions` (`review_id`,`stage`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `screening_duplicate_candidates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`record_a` integer NOT NULL,
	`record_b` integer NOT NULL,
	`score` real NOT NULL,
	`evidence` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`decided_by` integer,
	`decided_at` text,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`record_a`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`record_b`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `screening_candidates_pair_uq` ON `screening_duplicate_candidates` (`record_a`,`record_b`);--> statement-breakpoint
CREATE INDEX `screening_candidates_review_idx` ON `screening_duplicate_candidates` (`review_id`,`status`);--> statement-breakpoint
CREATE TABLE `screening_exclusion_reasons` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`label` text NOT NULL,
	`position` integer NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `screening_reasons_label_uq` ON `screening_exclusion_reasons` (`review_id`,`label`);--> statement-breakpoint
CREATE INDEX `screening_reasons_review_idx` ON `screening_exclusion_reasons` (`review_id`,`position`);--> statement-breakpoint
CREATE TABLE `screening_merges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`duplicate_id` integer NOT NULL,
	`kept_id` integer NOT NULL,
	`kind` text NOT NULL,
	`score` real,
	`merged_by` integer NOT NULL,
	`created_at` text NOT NULL,
	`undone_at` text,
	`undone_by` integer,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`duplicate_id`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`kept_id`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`merged_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`undone_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `screening_merges_review_idx` ON `screening_merges` (`review_id`);--> statement-breakpoint
CREATE INDEX `screening_merges_dup_idx` ON `screening_merges` (`duplicate_id`);--> statement-breakpoint
CREATE TABLE `screening_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`search_id` integer NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`abstract` text DEFAULT '' NOT NULL,
	`authors` text DEFAULT '[]' NOT NULL,
	`year` integer,
	`journal` text DEFAULT '' NOT NULL,
	`doi` text DEFAULT '' NOT NULL,
	`pmid` text DEFAULT '' NOT NULL,
	`keywords` text DEFAULT '[]' NOT NULL,
	`url` text DEFAULT '' NOT NULL,
	`title_key` text DEFAULT '' NOT NULL,
	`duplicate_of` integer,
	`not_retrieved` integer DEFAULT false NOT NULL,
	`not_retrieved_reason` text DEFAULT '' NOT NULL,
	`study_id` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`search_id`) REFERENCES `screening_searches`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `screening_records_review_idx` ON `screening_records` (`review_id`,`id`);--> statement-breakpoint
CREATE INDEX `screening_records_doi_idx` ON `screening_records` (`review_id`,`doi`);--> statement-breakpoint
CREATE INDEX `screening_records_pmid_idx` ON `screening_records` (`review_id`,`pmid`);--> statement-breakpoint
CREATE INDEX `screening_records_dup_idx` ON `screening_records` (`duplicate_of`);--> statement-breakpoint
CREATE INDEX `screening_records_study_idx` ON `screening_records` (`study_id`);--> statement-breakpoint
CREATE TABLE `screening_resolutions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`record_id` integer NOT NULL,
	`stage` text NOT NULL,
	`decision` text NOT NULL,
	`reason_id` integer,
	`note` text DEFAULT '' NOT NULL,
	`decided_by` integer NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`record_id`) REFERENCES `screening_records`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reason_id`) REFERENCES `screening_exclusion_reasons`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `screening_resolutions_uq` ON `screening_resolutions` (`record_id`,`stage`);--> statement-breakpoint
CREATE INDEX `screening_resolutions_review_idx` ON `screening_resolutions` (`review_id`,`stage`);--> statement-breakpoint
CREATE TABLE `screening_searches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`source` text NOT NULL,
	`searched_on` text NOT NULL,
	`query` text DEFAULT '' NOT NULL,
	`file_name` text DEFAULT '' NOT NULL,
	`format` text NOT NULL,
	`status` text DEFAULT 'importing' NOT NULL,
	`record_count` integer DEFAULT 0 NOT NULL,
	`imported_by` integer NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`imported_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `screening_searches_review_idx` ON `screening_searches` (`review_id`);--> statement-breakpoint
CREATE TABLE `screening_settings` (
	`review_id` integer PRIMARY KEY NOT NULL,
	`reviewer1_id` integer,
	`reviewer2_id` integer,
	`arbiter_id` integer,
	`include_terms` text DEFAULT '[]' NOT NULL,
	`exclude_terms` text DEFAULT '[]' NOT NULL,
	`screening_order` text DEFAULT 'prioritised' NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer1_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer2_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`arbiter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
