CREATE TABLE `stored_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`sha256` text NOT NULL,
	`media_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`original_name` text NOT NULL,
	`width` integer,
	`height` integer,
	`uploaded_by` integer NOT NULL,
	`uploaded_at` text NOT NULL,
	`data` blob NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stored_files_review_sha_uq` ON `stored_files` (`review_id`,`sha256`);--> statement-breakpoint
CREATE INDEX `stored_files_review_idx` ON `stored_files` (`review_id`);--> statement-breakpoint
CREATE TABLE `figure_points` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reading_id` integer NOT NULL,
	`arm_id` integer NOT NULL,
	`day` real NOT NULL,
	`kind` text NOT NULL,
	`error_type` text,
	`pixel_x` real NOT NULL,
	`pixel_y` real NOT NULL,
	`value` real NOT NULL,
	`placed_by` integer NOT NULL,
	`placed_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`reading_id`) REFERENCES `figure_readings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`arm_id`) REFERENCES `arms`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`placed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `figure_points_uq` ON `figure_points` (`reading_id`,`arm_id`,`day`,`kind`);--> statement-breakpoint
CREATE TABLE `figure_readings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`figure_id` integer NOT NULL,
	`reader_id` integer NOT NULL,
	`ordinal` integer NOT NULL,
	`calibration` text,
	`status` text DEFAULT 'in_progress' NOT NULL,
	`started_at` text NOT NULL,
	`completed_at` text,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`figure_id`) REFERENCES `figures`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reader_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `figure_readings_reader_uq` ON `figure_readings` (`figure_id`,`reader_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `figure_readings_ordinal_uq` ON `figure_readings` (`figure_id`,`ordinal`);--> statement-breakpoint
CREATE TABLE `figure_values` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`figure_id` integer NOT NULL,
	`reading_id` integer NOT NULL,
	`arm_id` integer NOT NULL,
	`day` real NOT NULL,
	`measurement_id` integer,
	`measurement_version` integer,
	`written_at` text NOT NULL,
	FOREIGN KEY (`figure_id`) REFERENCES `figures`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reading_id`) REFERENCES `figure_readings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`arm_id`) REFERENCES `arms`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`measurement_id`) REFERENCES `measurements`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `figure_values_uq` ON `figure_values` (`figure_id`,`arm_id`,`day`);--> statement-breakpoint
CREATE INDEX `figure_values_measurement_idx` ON `figure_values` (`measurement_id`);--> statement-breakpoint
CREATE TABLE `figure_views` (
	`figure_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`first_seen_at` text NOT NULL,
	PRIMARY KEY(`figure_id`, `user_id`),
	FOREIGN KEY (`figure_id`) REFERENCES `figures`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `figures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`study_id` integer NOT NULL,
	`outcome_id` integer NOT NULL,
	`image_file_id` integer NOT NULL,
	`label` text NOT NULL,
	`caption` text DEFAULT '' NOT NULL,
	`chart_kind` text NOT NULL,
	`source_kind` text NOT NULL,
	`source_name` text DEFAULT '' NOT NULL,
	`source_sha256` text NOT NULL,
	`source_page` integer,
	`source_crop` text NOT NULL,
	`source_scale` real,
	`standing_reading_id` integer,
	`decided_by` integer,
	`decided_at` text,
	`decision_reason` text DEFAULT '' NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`outcome_id`) REFERENCES `outcomes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`image_file_id`) REFERENCES `stored_files`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`standing_reading_id`) REFERENCES `figure_readings`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `figures_study_idx` ON `figures` (`study_id`);--> statement-breakpoint
CREATE INDEX `figures_review_idx` ON `figures` (`review_id`);