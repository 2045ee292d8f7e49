-- Issue 10: study characteristics per review, outcomes with direction and normal value, saved analyses,
-- removable studies. Data moves: today's exosome-specific study columns become the review's characteristics
-- (nothing is lost: every non-empty value is copied, and the exosome source of every study of every review that has
-- studies, since it was required), the one analysis_settings row becomes saved analysis 1.1.
CREATE TABLE `characteristic_values` (
	`study_id` integer NOT NULL,
	`characteristic_id` integer NOT NULL,
	`value` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`study_id`, `characteristic_id`),
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`characteristic_id`) REFERENCES `characteristics`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `characteristic_values_characteristic_idx` ON `characteristic_values` (`characteristic_id`);
--> statement-breakpoint
CREATE TABLE `characteristics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`label` text NOT NULL,
	`type` text NOT NULL,
	`unit` text DEFAULT '' NOT NULL,
	`options` text DEFAULT '[]' NOT NULL,
	`help_text` text DEFAULT '' NOT NULL,
	`position` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `characteristics_review_idx` ON `characteristics` (`review_id`,`position`);
--> statement-breakpoint
CREATE TABLE `saved_analyses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`settings` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `saved_analyses_review_idx` ON `saved_analyses` (`review_id`,`position`);
--> statement-breakpoint
ALTER TABLE `outcomes` ADD `normal_value` real;
--> statement-breakpoint
ALTER TABLE `outcomes` ADD `position` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `outcomes` ADD `updated_at` text NOT NULL DEFAULT '';
--> statement-breakpoint
UPDATE `outcomes` SET `updated_at` = `created_at`, `position` = (SELECT count(*) FROM `outcomes` o2 WHERE o2.`review_id` = `outcomes`.`review_id` AND o2.`id` <= `outcomes`.`id`);
--> statement-breakpoint
UPDATE `outcomes` SET `normal_value` = 21 WHERE `scale_min` = 0 AND `scale_max` = 21 AND `higher_is_better` = 1 AND lower(`name`) LIKE '%bbb%';
--> statement-breakpoint
ALTER TABLE `reviews` ADD `table1_columns` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `title` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `journal` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `disease_model` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `model_induction` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `intervention` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `studies` ADD `deleted_at` text;
--> statement-breakpoint
ALTER TABLE `studies` ADD `deleted_by` integer REFERENCES users(id);
--> statement-breakpoint
UPDATE `studies` SET `model_induction` = `modeling_method`;
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Exosome source', 'single', '', '[{"value":"bone_marrow","label":"Bone marrow"},{"value":"adipose","label":"Adipose"},{"value":"umbilical_cord","label":"Umbilical cord"},{"value":"placenta","label":"Placenta"},{"value":"other","label":"Other"}]', 'Tissue of the mesenchymal stem cells the exosomes came from', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id`);
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`exosome_source`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Exosome source';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Source (as printed)', 'text', '', '[]', 'The exosome source as the paper names it', 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`exosome_source_detail`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`exosome_source_detail`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Source (as printed)'
WHERE trim(s.`exosome_source_detail`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Injured site', 'text', '', '[]', 'Spinal segment(s) injured, e.g. T10', 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`injured_site`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`injured_site`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Injured site'
WHERE trim(s.`injured_site`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Possible mechanism', 'text', '', '[]', '', 4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`possible_mechanism`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`possible_mechanism`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Possible mechanism'
WHERE trim(s.`possible_mechanism`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Reference', 'text', '', '[]', 'Reference number in the review''s bibliography', 5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`reference`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`reference`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Reference'
WHERE trim(s.`reference`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Isolation method', 'text', '', '[]', '', 6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`isolation_method`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`isolation_method`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Isolation method'
WHERE trim(s.`isolation_method`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Injury device', 'text', '', '[]', '', 7, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`injury_device`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`injury_device`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Injury device'
WHERE trim(s.`injury_device`) <> '';
--> statement-breakpoint
INSERT INTO `characteristics` (`review_id`, `label`, `type`, `unit`, `options`, `help_text`, `position`, `created_at`, `updated_at`, `version`)
SELECT r.`id`, 'Injury severity', 'text', '', '[]', '', 8, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM `reviews` r WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = r.`id` AND trim(s.`injury_severity`) <> '');
--> statement-breakpoint
INSERT INTO `characteristic_values` (`study_id`, `characteristic_id`, `value`, `updated_at`)
SELECT s.`id`, c.`id`, json_quote(s.`injury_severity`), s.`updated_at`
FROM `studies` s JOIN `characteristics` c ON c.`review_id` = s.`review_id` AND c.`label` = 'Injury severity'
WHERE trim(s.`injury_severity`) <> '';
--> statement-breakpoint
UPDATE `reviews` SET `table1_columns` = (
  SELECT json_group_array(`col` ORDER BY `ord`) FROM (
    SELECT 'c:' || c.`id` AS `col`, c.`position` AS `ord` FROM `characteristics` c
      WHERE c.`review_id` = `reviews`.`id` AND c.`label` IN ('Exosome source', 'Source (as printed)', 'Injured site', 'Possible mechanism', 'Reference')
    UNION ALL SELECT 'administrationRoute', 2.5
    UNION ALL SELECT 'modelInduction', 3.5
  )
) WHERE EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = `reviews`.`id`);
--> statement-breakpoint
UPDATE `reviews` SET `table1_columns` = '["species","diseaseModel","intervention","dose","administrationRoute"]'
WHERE NOT EXISTS (SELECT 1 FROM `studies` s WHERE s.`review_id` = `reviews`.`id`);
--> statement-breakpoint
INSERT INTO `saved_analyses` (`review_id`, `position`, `title`, `settings`, `created_at`, `updated_at`, `version`)
SELECT a.`review_id`, 1,
  coalesce(o.`name`, 'Analysis') || ', ' || CASE a.`timepoint` WHEN 'first' THEN 'first time point' WHEN 'last' THEN 'last time point' ELSE 'day ' || printf('%g', a.`day`) END,
  json_object('outcomeId', a.`outcome_id`, 'timepoint', a.`timepoint`, 'day', a.`day`, 'measure', a.`measure`, 'model', a.`model`,
    'tau2Method', a.`tau2_method`, 'ciMethod', a.`ci_method`, 'level', a.`level`,
    'subgroupField', CASE a.`subgroup_field`
    WHEN 'exosomeSource' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Exosome source'), '')
    WHEN 'exosomeSourceDetail' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Source (as printed)'), '')
    WHEN 'injuredSite' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Injured site'), '')
    WHEN 'possibleMechanism' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Possible mechanism'), '')
    WHEN 'reference' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Reference'), '')
    WHEN 'isolationMethod' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Isolation method'), '')
    WHEN 'injuryDevice' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Injury device'), '')
    WHEN 'injurySeverity' THEN coalesce((SELECT 'c:' || c.`id` FROM `characteristics` c WHERE c.`review_id` = a.`review_id` AND c.`label` = 'Injury severity'), '')
    WHEN 'modelingMethod' THEN 'modelInduction'
    ELSE a.`subgroup_field` END),
  a.`updated_at`, a.`updated_at`, 1
FROM `analysis_settings` a LEFT JOIN `outcomes` o ON o.`id` = a.`outcome_id`;
--> statement-breakpoint
DROP TABLE `analysis_settings`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `exosome_source`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `exosome_source_detail`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `injured_site`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `modeling_method`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `possible_mechanism`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `reference`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `isolation_method`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `injury_device`;
--> statement-breakpoint
ALTER TABLE `studies` DROP COLUMN `injury_severity`;
