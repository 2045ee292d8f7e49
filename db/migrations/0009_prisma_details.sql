ALTER TABLE `reviews` ADD `prisma_sources` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `reviews` ADD `prisma_not_retrieved` integer;--> statement-breakpoint
ALTER TABLE `reviews` ADD `prisma_exclusion_reasons` text DEFAULT '[]' NOT NULL;