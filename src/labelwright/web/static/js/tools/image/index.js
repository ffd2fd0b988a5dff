// The image tools: one import registers the stage and every image region tool.

export { LwImageStage, resolveImage } from './stage.js';
export { LwBoxes } from './boxes.js';
export { LwPolygons } from './polygons.js';
export { LwKeypoints } from './keypoints.js';
export { LwMasks } from './masks.js';
