/**
 * The stream, sans-IO: signed chunks cut on frame boundaries (MP3 frames, Ogg pages), the
 * chunk window every node keeps, and in-order playout that waits out gaps before skipping.
 * Not yet wired into a relay tree (issue 6).
 */
package io.arborcast.stream;
