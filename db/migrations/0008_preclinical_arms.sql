-- Issue 13: several arms per study. A treated arm carries its own dose and may have its own value of a review
-- characteristic (arm_characteristic_values); the control arm it is compared with is arms.control_arm_id (added by
-- 0006_data_io for shared-control keys). Arm kinds gain "sham" (a text column: no DDL needed).
-- Data move: every treated arm not yet linked, of a study with exactly one control arm, is linked to that control,
-- which is what the analysis did implicitly until now; studies with several (or no) control arms are left for a
-- reviewer to choose.
CREATE TABLE `arm_characteristic_values` (
	`arm_id` integer NOT NULL,
	`characteristic_id` integer NOT NULL,
	`value` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`arm_id`, `characteristic_id`),
	FOREIGN KEY (`arm_id`) REFERENCES `arms`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`characteristic_id`) REFERENCES `characteristics`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `arm_characteristic_values_characteristic_idx` ON `arm_characteristic_values` (`characteristic_id`);--> statement-breakpoint
ALTER TABLE `arms` ADD `dose` real;--> statement-breakpoint
ALTER TABLE `arms` ADD `dose_unit` text DEFAULT '' NOT NULL;;--> statement-breakpoint
UPDATE `arms` SET `control_arm_id` = (
	SELECT `c`.`id` FROM `arms` `c` WHERE `c`.`study_id` = `arms`.`study_id` AND `c`.`kind` = 'control'
)
WHERE `kind` = 'treated' AND `control_arm_id` IS NULL
	AND (SELECT count(*) FROM `arms` `c` WHERE `c`.`study_id` = `arms`.`study_id` AND `c`.`kind` = 'control') = 1;
