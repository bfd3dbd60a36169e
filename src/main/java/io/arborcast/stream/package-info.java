/**
 * The stream, sans-IO: signed chunks cut where a decoder can go on (MP3 frames, Ogg pages,
 * Matroska/WebM elements, MPEG-TS packets, FLV tags), the signed stream head a late joiner gets
 * first (Ogg header pages, the WAV header, everything of a WebM stream before its first cluster,
 * TS tables through the first PMT, the FLV header with metadata and sequence headers), the chunk
 * window every node keeps, and in-order playout that waits out gaps before skipping. In video,
 * every keyframe (or cluster) begins a chunk, and a player starts at one
 * ({@link io.arborcast.stream.StreamHeads#playerStarts}); bytes no muxer of the content type
 * writes are refused ({@link io.arborcast.stream.MalformedStreamException}) before any chunk.
 */
package io.arborcast.stream;
