-- 亮身份: a person may have a photo, shown on the cell's public card and printed on its notice
-- board. The files live beside the report photos (people/ under the photo directory), stripped of
-- their metadata like every uploaded photo.
ALTER TABLE people ADD COLUMN photo_file text, ADD COLUMN photo_thumb text;
