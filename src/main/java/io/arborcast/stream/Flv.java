package io.arborcast.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * FLV ({@code video/x-flv}), as ffmpeg writes it to a pipe and an RTMP server gets it: a 9-byte
 * header, then tags (type, 24-bit data size, timestamp, stream id, data), each followed by its
 * 32-bit previous-tag size. The stream head is the header and the tags before the first frame:
 * {@code onMetaData} and the codecs' sequence headers (AVC/HEVC decoder configuration, AAC
 * AudioSpecificConfig). After it the splitter cuts on tag boundaries and right before every
 * video keyframe tag, so every keyframe begins a chunk, and a tag larger than a chunk spans
 * several; {@link #decodableStart} tells a chunk a keyframe begins (any tag, in a stream with no
 * video). Enhanced-RTMP video tags (HEVC, AV1, VP9 by FourCC) are read the same way.
 *
 * <p>At a source it also keeps the stream's head up to date: given the head the stream began
 * with ({@link #begin}), it notices metadata or a sequence header that differs from the head's
 * in the chunks it cuts (an encoder that changes resolution or codec settings mid-stream), and
 * {@link #changedHead} gives the head rebuilt with the newest of each.
 */
public final class Flv extends SizedUnits {
    static final int HEADER = 9;
    private static final int TAG_HEADER = 11;
    private static final int AUDIO = 8;
    private static final int VIDEO = 9;
    private static final int SCRIPT = 18;

    /** The head's kinds of tag: metadata, the video and the audio sequence header. */
    private static final int KINDS = 3;
    private byte[] fileHeader;
    /** The newest tag of each kind, as the current head has it or a chunk brought it since. */
    private final byte[][] headTags = new byte[KINDS][];
    private boolean headChanged;
    /** Head tags {@link #cut} saw in the bytes it was last given, by the offset where they end. */
    private final List<Seen> seen = new ArrayList<>();

    private record Seen(int end, byte[] tag) {
    }

    /** Whether a content type is FLV's. */
    public static boolean isFlv(String contentType) {
        return contentType.contains("flv");
    }

    private static MalformedStreamException malformed(String why, int at) {
        return new MalformedStreamException("malformed FLV at byte " + at + " of the pending input: " + why);
    }

    private static int u24(byte[] b, int p) {
        return (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | b[p + 2] & 0xff;
    }

    private static long u32(byte[] b, int p) {
        return (long) u24(b, p) << 8 | b[p + 3] & 0xff;
    }

    /** The length of the tag at {@code p} with its previous-tag size, once its header is there; checks its type. */
    private static int tagLength(byte[] b, int p) {
        int type = b[p] & 0x1f; // the top bits: reserved and the encryption filter flag
        if (type != AUDIO && type != VIDEO && type != SCRIPT) {
            throw malformed("tag type " + (b[p] & 0xff) + " is no audio, video or script tag", p);
        }
        return TAG_HEADER + u24(b, p + 1) + 4;
    }

    /** The previous-tag size after a complete tag at {@code p} of {@code length} must be its size. */
    private static void checkTrailer(byte[] b, int p, int length) {
        long said = u32(b, p + length - 4);
        if (said != length - 4) {
            throw malformed("previous-tag size " + said + " after a tag of " + (length - 4) + " bytes", p + length - 4);
        }
    }

    /**
     * Whether the tag at {@code p} (header and two data bytes there) is a video keyframe: a coded
     * frame (AVC/HEVC packet type 1; enhanced RTMP's CodedFrames or CodedFramesX), not a
     * sequence header or a sequence's end.
     */
    private static boolean keyframe(byte[] b, int p, int end) {
        if ((b[p] & 0x1f) != VIDEO || p + TAG_HEADER + 2 > end || u24(b, p + 1) < 2) {
            return false;
        }
        int first = b[p + TAG_HEADER] & 0xff;
        if ((first & 0x80) != 0) { // enhanced RTMP: frame type, then packet type
            return (first >> 4 & 7) == 1 && ((first & 0x0f) == 1 || (first & 0x0f) == 3);
        }
        return first >> 4 == 1 && (b[p + TAG_HEADER + 1] & 0xff) == 1;
    }

    /** Whether the tag at {@code p} belongs in the head: metadata, or a sequence header of either codec. */
    private static boolean headTag(byte[] b, int p) {
        int type = b[p] & 0x1f;
        int first = b[p + TAG_HEADER] & 0xff;
        if (type == SCRIPT) {
            return true;
        }
        if (type == VIDEO) {
            return (first & 0x80) != 0 ? (first & 0x0f) == 0 : (b[p + TAG_HEADER + 1] & 0xff) == 0;
        }
        return first >> 4 == 10 && (b[p + TAG_HEADER + 1] & 0xff) == 0; // AAC sequence header
    }

    /**
     * Length of the head at the start of {@code buf[0, len)}: the header, its previous-tag size
     * and the metadata and sequence-header tags that follow; 0 if no FLV, -1 if more are needed.
     */
    public static int headLength(byte[] buf, int len) {
        if (len < 3) {
            return -1;
        }
        if (buf[0] != 'F' || buf[1] != 'L' || buf[2] != 'V') {
            return 0;
        }
        if (len < HEADER + 4) {
            return -1;
        }
        long offset = u32(buf, 5);
        if (offset < HEADER || offset > 1024) {
            throw malformed("header size " + offset, 5);
        }
        int p = (int) offset + 4;
        while (true) {
            if (p + TAG_HEADER + 2 > len) {
                return -1;
            }
            int length = tagLength(buf, p);
            if (!headTag(buf, p)) {
                return p;
            }
            if (p + length > StreamHeads.MAX_HEAD_BYTES) {
                throw malformed("no frame within the first " + StreamHeads.MAX_HEAD_BYTES + " bytes", p);
            }
            if (p + length > len) {
                return -1;
            }
            checkTrailer(buf, p, length);
            p += length;
        }
    }

    /** The stream began with {@code head} (its header and head tags): the head later changes are held against. */
    public void begin(byte[] head) {
        Arrays.fill(headTags, null);
        headChanged = false;
        fileHeader = null;
        int p = tagsStart(head);
        if (p < 0) {
            return;
        }
        fileHeader = Arrays.copyOf(head, p);
        while (p + TAG_HEADER + 2 <= head.length) {
            int length = tagLength(head, p);
            if (p + length > head.length) {
                break;
            }
            headTags[kind(head, p)] = Arrays.copyOfRange(head, p, p + length);
            p += length;
        }
    }

    private static final byte[] ON_METADATA = {2, 0, 10, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'};

    /** Whether the script tag at {@code p} is {@code onMetaData} (not a cue point or a caption). */
    private static boolean metadata(byte[] b, int p, int length) {
        int d = p + TAG_HEADER;
        return length - TAG_HEADER - 4 >= ON_METADATA.length
                && Arrays.equals(b, d, d + ON_METADATA.length, ON_METADATA, 0, ON_METADATA.length);
    }

    /** Which of the head's kinds the head tag at {@code p} is. */
    private static int kind(byte[] b, int p) {
        int type = b[p] & 0x1f;
        return type == SCRIPT ? 0 : type == VIDEO ? 1 : 2;
    }

    /** Whether two tags carry the same data (their timestamps may differ). */
    private static boolean sameData(byte[] a, byte[] b) {
        return a != null && a.length == b.length
                && Arrays.equals(a, TAG_HEADER, a.length, b, TAG_HEADER, b.length);
    }

    @Override
    void passed(int n) {
        for (Seen s : seen) {
            if (s.end() <= n && fileHeader != null) {
                int k = kind(s.tag(), 0);
                headChanged |= !sameData(headTags[k], s.tag());
                headTags[k] = s.tag();
            }
        }
        seen.clear();
    }

    /**
     * The head rebuilt with the newest metadata and sequence headers, if one of them changed in
     * the chunks cut since the last call (each such tag also went out where it was, so players
     * already playing have it); else null.
     */
    public byte[] changedHead() {
        if (!headChanged) {
            return null;
        }
        headChanged = false;
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        head.writeBytes(fileHeader);
        for (byte[] tag : headTags) {
            if (tag != null) {
                head.writeBytes(tag);
            }
        }
        return head.toByteArray();
    }

    /**
     * What a player that has played {@code head}'s stream gets when the head changes: the head's
     * tags, not a second file header, which no FLV reader takes mid-stream.
     */
    public static byte[] headAgain(byte[] head) {
        int tags = tagsStart(head);
        return tags < 0 ? head : Arrays.copyOfRange(head, tags, head.length);
    }

    /** Where the tags of a head begin, after the file header and its previous-tag size; -1 if it is no FLV head. */
    private static int tagsStart(byte[] head) {
        return head.length < HEADER + 4 || head[0] != 'F' ? -1 : (int) Math.min(head.length, u32(head, 5) + 4);
    }

    @Override
    int cut(byte[] buf, int from, int len) {
        seen.clear();
        int p = from;
        while (p + TAG_HEADER <= len) {
            int length = tagLength(buf, p);
            if (p > 0 && keyframe(buf, p, len)) {
                return p; // a keyframe begins a chunk
            }
            if (p > 0 && p + TAG_HEADER + 2 > len && (buf[p] & 0x1f) == VIDEO) {
                return p; // whether it is a keyframe shows in its first data bytes
            }
            if (p + length > len) {
                partial(p + (long) length);
                return p;
            }
            checkTrailer(buf, p, length);
            if (fileHeader != null && length <= StreamHeads.MAX_HEAD_BYTES && length >= TAG_HEADER + 2 + 4
                    && headTag(buf, p) && ((buf[p] & 0x1f) != SCRIPT || metadata(buf, p, length))) {
                seen.add(new Seen(p + length, Arrays.copyOfRange(buf, p, p + length)));
            }
            p += length;
        }
        return p;
    }

    /** Whether the FLV header says the stream has video. */
    public static boolean hasVideo(byte[] head) {
        return head.length >= HEADER && head[0] == 'F' && (head[4] & 0x01) != 0;
    }

    /** Whether a player may start with {@code chunk}: a video keyframe tag begins it (a stream with no video: any tag). */
    public static boolean decodableStart(byte[] chunk, boolean video) {
        if (chunk.length < TAG_HEADER + 2) {
            return false;
        }
        try {
            tagLength(chunk, 0);
        } catch (MalformedStreamException e) {
            return false;
        }
        return !video || keyframe(chunk, 0, chunk.length);
    }
}
