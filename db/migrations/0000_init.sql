CREATE TABLE `login_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`address` text NOT NULL,
	`succeeded` integer NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_user_idx` ON `login_attempts` (`username`,`at`);--> statement-breakpoint
CREATE INDEX `login_attempts_addr_idx` ON `login_attempts` (`address`,`at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`is_admin` integer DEFAULT false NOT NULL,
	`is_demo` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `outcomes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`name` text NOT NULL,
	`unit` text DEFAULT 'points' NOT NULL,
	`scale_min` real,
	`scale_max` real,
	`higher_is_better` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `review_members` (
	`review_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`review_id`, `user_id`),
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `review_members_user_idx` ON `review_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`question` text DEFAULT '' NOT NULL,
	`population` text DEFAULT '' NOT NULL,
	`intervention` text DEFAULT '' NOT NULL,
	`comparison` text DEFAULT '' NOT NULL,
	`outcome_description` text DEFAULT '' NOT NULL,
	`study_design` text DEFAULT '' NOT NULL,
	`inclusion_criteria` text DEFAULT '' NOT NULL,
	`exclusion_criteria` text DEFAULT '' NOT NULL,
	`prisma_identified` integer,
	`prisma_after_duplicates` integer,
	`prisma_full_text` integer,
	`prisma_included` integer,
	`is_demo` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `arms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` integer NOT NULL,
	`kind` text NOT NULL,
	`label` text NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `arms_study_idx` ON `arms` (`study_id`);--> statement-breakpoint
CREATE TABLE `measurements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`arm_id` integer NOT NULL,
	`outcome_id` integer NOT NULL,
	`day` real NOT NULL,
	`mean` real NOT NULL,
	`error_type` text NOT NULL,
	`error_value` real,
	`ci_lower` real,
	`ci_upper` real,
	`n` integer NOT NULL,
	`data_source` text DEFAULT 'table' NOT NULL,
	`source_detail` text DEFAULT '' NOT NULL,
	`is_example_data` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`arm_id`) REFERENCES `arms`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`outcome_id`) REFERENCES `outcomes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `measurements_arm_outcome_day_uq` ON `measurements` (`arm_id`,`outcome_id`,`day`);--> statement-breakpoint
CREATE TABLE `studies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`position` integer NOT NULL,
	`author` text NOT NULL,
	`year` integer NOT NULL,
	`exosome_source` text DEFAULT 'other' NOT NULL,
	`exosome_source_detail` text DEFAULT '' NOT NULL,
	`administration_route` text DEFAULT '' NOT NULL,
	`injured_site` text DEFAULT '' NOT NULL,
	`modeling_method` text DEFAULT '' NOT NULL,
	`possible_mechanism` text DEFAULT '' NOT NULL,
	`reference` text DEFAULT '' NOT NULL,
	`doi` text DEFAULT '' NOT NULL,
	`species` text DEFAULT '' NOT NULL,
	`strain` text DEFAULT '' NOT NULL,
	`sex` text DEFAULT '' NOT NULL,
	`body_weight` text DEFAULT '' NOT NULL,
	`age` text DEFAULT '' NOT NULL,
	`dose` real,
	`dose_unit` text DEFAULT '' NOT NULL,
	`administration_frequency` text DEFAULT '' NOT NULL,
	`timing_after_injury` text DEFAULT '' NOT NULL,
	`isolation_method` text DEFAULT '' NOT NULL,
	`injury_device` text DEFAULT '' NOT NULL,
	`injury_severity` text DEFAULT '' NOT NULL,
	`animals_total` integer,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `studies_review_idx` ON `studies` (`review_id`,`position`);--> statement-breakpoint
CREATE TABLE `analysis_settings` (
	`review_id` integer PRIMARY KEY NOT NULL,
	`outcome_id` integer,
	`timepoint` text DEFAULT 'last' NOT NULL,
	`day` real,
	`measure` text DEFAULT 'MD' NOT NULL,
	`model` text DEFAULT 'fixed' NOT NULL,
	`tau2_method` text DEFAULT 'REML' NOT NULL,
	`ci_method` text DEFAULT 'z' NOT NULL,
	`level` real DEFAULT 0.95 NOT NULL,
	`subgroup_field` text DEFAULT 'exosomeSource' NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`outcome_id`) REFERENCES `outcomes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `rob_assignments` (
	`review_id` integer PRIMARY KEY NOT NULL,
	`reviewer1_id` integer,
	`reviewer2_id` integer,
	`arbiter_id` integer,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer1_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer2_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`arbiter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `rob_consensus` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`study_id` integer NOT NULL,
	`domain` integer NOT NULL,
	`judgment` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`decided_by` integer NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rob_consensus_uq` ON `rob_consensus` (`study_id`,`domain`);--> statement-breakpoint
CREATE TABLE `rob_judgments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`study_id` integer NOT NULL,
	`reviewer_id` integer NOT NULL,
	`domain` integer NOT NULL,
	`judgment` text,
	`quote` text DEFAULT '' NOT NULL,
	`reasoning` text DEFAULT '' NOT NULL,
	`is_example_data` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rob_judgments_uq` ON `rob_judgments` (`study_id`,`reviewer_id`,`domain`);--> statement-breakpoint
CREATE INDEX `rob_judgments_review_idx` ON `rob_judgments` (`review_id`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`user_id` integer,
	`user_name` text NOT NULL,
	`review_id` integer,
	`entity` text NOT NULL,
	`entity_id` integer,
	`action` text NOT NULL,
	`field` text,
	`old_value` text,
	`new_value` text,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `audit_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_review_idx` ON `audit_log` (`review_id`,`at`);