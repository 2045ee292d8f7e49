-- A record's full-text PDF, kept in the review's file store (stored_files) with the figure images.
ALTER TABLE `screening_records` ADD `full_text_file_id` integer REFERENCES stored_files(id) ON DELETE SET NULL;
