ALTER TABLE `reviews` ADD `import_mapping` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `arms` ADD `control_arm_id` integer REFERENCES arms(id) ON DELETE SET NULL;