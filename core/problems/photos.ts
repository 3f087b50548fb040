import { defineProblems } from './define.ts';

/** Photos of reports and evidence. */
export const photoProblems = defineProblems({
  'photos.not-an-image': { status: 422, en: 'Photo {n} ({name}) is not a JPEG, PNG or WebP image', zh: '第 {n} 张照片（{name}）不是 JPEG、PNG 或 WebP 图片' },
  'photos.damaged': { status: 422, en: 'Photo {n} ({name}) is damaged: it starts like a {mime} but does not decode', zh: '第 {n} 张照片（{name}）已损坏：看似 {mime}，但无法解码' },
  'photos.store-failed': { status: 500, en: 'The photos could not be stored', zh: '照片未能保存，请稍后重试' },
  'photos.not-multipart': { status: 415, en: 'Send the photo as multipart/form-data', zh: '请以 multipart/form-data 上传照片' },
  'photos.missing': { status: 422, en: 'Send exactly one image in the field "photo"', zh: '请在 "photo" 字段中上传一张图片' },
});
