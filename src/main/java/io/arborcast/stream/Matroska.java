package io.arborcast.stream;

/**
 * Matroska and WebM, as a live source writes them (EBML elements: an ID, a size, the data).
 * The stream head is everything before the first Cluster: the EBML header, the Segment's own
 * header (its size unknown, as live muxers write it), SeekHead, Info, Tracks, Tags. After it
 * the splitter cuts on element boundaries inside clusters (between blocks), and always right
 * before a Cluster, so every cluster begins a chunk; a chunk that begins a cluster whose first
 * video block is a keyframe is where a player may start ({@link #decodableStart}: relays need no
 * mark for it, whoever starts a player finds it in the signed bytes). Clusters of
 * unknown size (OBS, ffmpeg with {@code -live}) are cut the same way: a cluster ends where the
 * next one begins.
 */
public final class Matroska extends SizedUnits {
    static final int EBML = 0x1A45DFA3;
    static final int SEGMENT = 0x18538067;
    static final int CLUSTER = 0x1F43B675;
    static final int TRACKS = 0x1654AE6B;
    static final int TRACK_ENTRY = 0xAE;
    static final int TRACK_NUMBER = 0xD7;
    static final int TRACK_TYPE = 0x83;
    static final int SIMPLE_BLOCK = 0xA3;
    static final int BLOCK_GROUP = 0xA0;
    static final int BLOCK = 0xA1;
    static final int REFERENCE_BLOCK = 0xFB;
    private static final int VIDEO = 1;
    /** An element larger than this (a block is one frame) is no live stream's: malformed. */
    static final long MAX_ELEMENT = 16L << 20;
    private static final long UNKNOWN_SIZE = -1;

    /** Whether a content type is Matroska's or WebM's. */
    public static boolean isMatroska(String contentType) {
        return contentType.contains("webm") || contentType.contains("matroska");
    }

    private static MalformedStreamException malformed(String why, int at) {
        return new MalformedStreamException("malformed Matroska/WebM at byte " + at + " of the pending input: " + why);
    }

    /** An element's header at {@code p}: its ID, the header's length and the data size ({@link #UNKNOWN_SIZE}: unknown). */
    private record Header(int id, int length, long size) {
    }

    /** The element header at {@code p} of {@code buf[0, len)}, or null if not all of it is there yet. */
    private static Header header(byte[] buf, int p, int len) {
        if (p >= len) {
            return null;
        }
        int first = buf[p] & 0xff;
        int idLength = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || idLength > 4) {
            throw malformed(String.format("0x%02x starts no element ID", first), p);
        }
        if (p + idLength >= len) {
            return null;
        }
        int id = 0;
        for (int i = 0; i < idLength; i++) {
            id = id << 8 | buf[p + i] & 0xff;
        }
        int q = p + idLength;
        int lead = buf[q] & 0xff;
        if (lead == 0) {
            throw malformed("element size longer than 8 bytes", q);
        }
        int sizeLength = Integer.numberOfLeadingZeros(lead) - 23;
        if (q + sizeLength > len) {
            return null;
        }
        long size = lead & (0xff >> sizeLength);
        boolean allOnes = size == (0xff >> sizeLength);
        for (int i = 1; i < sizeLength; i++) {
            int b = buf[q + i] & 0xff;
            size = size << 8 | b;
            allOnes &= b == 0xff;
        }
        return new Header(id, idLength + sizeLength, allOnes ? UNKNOWN_SIZE : size);
    }

    /**
     * Length of the stream head at the start of {@code buf[0, len)}: the offset of the first
     * Cluster once it is there, 0 if these bytes are no Matroska (no EBML header), -1 if more
     * are needed.
     */
    public static int headLength(byte[] buf, int len) {
        if (len < 4) {
            return -1;
        }
        int p = 0;
        boolean first = true;
        while (true) {
            Header h = header(buf, p, len);
            if (h == null) {
                return -1;
            }
            if (first && h.id != EBML) {
                return 0;
            }
            first = false;
            if (h.id == CLUSTER) {
                return p;
            }
            if (h.id == SEGMENT) {
                p += h.length;
                continue;
            }
            if (h.size == UNKNOWN_SIZE || h.size > MAX_ELEMENT) {
                throw malformed("element 0x" + Integer.toHexString(h.id) + " of unknown or absurd size"
                        + " before the first cluster", p);
            }
            long end = p + h.length + h.size;
            if (end > StreamHeads.MAX_HEAD_BYTES) {
                throw malformed("no cluster within the first " + StreamHeads.MAX_HEAD_BYTES + " bytes", p);
            }
            if (end > len) {
                return -1;
            }
            p = (int) end;
        }
    }

    /** Where the last complete element from {@code from} on ends (or a cluster begins). */
    @Override
    int cut(byte[] buf, int from, int len) {
        int p = from;
        while (true) {
            Header h = header(buf, p, len);
            if (h == null) {
                return p;
            }
            if (h.id == CLUSTER || h.id == SEGMENT) {
                if (p > 0) {
                    return p; // a cluster (or a new segment: a source that started again) begins a chunk
                }
                p += h.length; // into it: its children are cut one by one
                continue;
            }
            if (h.size == UNKNOWN_SIZE || h.size > MAX_ELEMENT) {
                throw malformed("element 0x" + Integer.toHexString(h.id) + " of "
                        + (h.size == UNKNOWN_SIZE ? "unknown" : "absurd (" + h.size + " bytes)") + " size", p);
            }
            long end = p + h.length + h.size;
            if (end > len) {
                partial(end);
                return p;
            }
            p = (int) end;
        }
    }

    /**
     * Whether a player may start with {@code chunk}: it begins a cluster, and the first block of
     * track {@code videoTrack} in it is a keyframe ({@code videoTrack} -1, a stream with no
     * video: any cluster).
     */
    public static boolean decodableStart(byte[] chunk, long videoTrack) {
        try {
            Header cluster = header(chunk, 0, chunk.length);
            if (cluster == null || cluster.id != CLUSTER) {
                return false;
            }
            if (videoTrack < 0) {
                return true;
            }
            int p = cluster.length;
            while (true) {
                Header h = header(chunk, p, chunk.length);
                if (h == null || h.size == UNKNOWN_SIZE || p + h.length + h.size > chunk.length) {
                    return false;
                }
                int data = p + h.length;
                int end = (int) (data + h.size);
                if (h.id == SIMPLE_BLOCK && blockTrack(chunk, data, h.size) == videoTrack) {
                    return (chunk[data + trackLength(chunk, data) + 2] & 0x80) != 0; // the flags' keyframe bit
                }
                if (h.id == BLOCK_GROUP && groupTrack(chunk, data, end) == videoTrack) {
                    return child(chunk, data, end, REFERENCE_BLOCK) < 0;
                }
                p = end;
            }
        } catch (MalformedStreamException e) {
            return false;
        }
    }

    private static int trackLength(byte[] b, int p) {
        return Integer.numberOfLeadingZeros(b[p] & 0xff) - 23;
    }

    /** The track number a block's data at {@code p} starts with. */
    private static long track(byte[] b, int p) {
        int n = trackLength(b, p);
        long v = b[p] & (0xff >> n);
        for (int i = 1; i < n; i++) {
            v = v << 8 | b[p + i] & 0xff;
        }
        return v;
    }

    /** The track of the block whose data (track number, timecode, flags, frame) is at {@code b[data]}, or -1 if too short for that. */
    private static long blockTrack(byte[] b, int data, long size) {
        return size >= 4 && trackLength(b, data) + 3 <= size ? track(b, data) : -1;
    }

    /** The track of the Block in the BlockGroup whose children are {@code b[from, to)}, or -1. */
    private static long groupTrack(byte[] b, int from, int to) {
        int p = child(b, from, to, BLOCK);
        if (p < 0) {
            return -1;
        }
        Header h = header(b, p, to);
        return blockTrack(b, p + h.length, h.size);
    }

    /** Where the first child element {@code id} among the complete ones in {@code b[from, to)} starts, or -1. */
    private static int child(byte[] b, int from, int to, int id) {
        int p = from;
        while (p < to) {
            Header h = header(b, p, to);
            if (h == null || h.size == UNKNOWN_SIZE || p + h.length + h.size > to) {
                return -1;
            }
            if (h.id == id) {
                return p;
            }
            p += h.length + (int) h.size;
        }
        return -1;
    }

    /** The number of the first video track the head's Tracks name, or -1. */
    public static long videoTrack(byte[] head) {
        int len = head.length;
        try {
            int p = 0;
            while (true) {
                Header h = header(head, p, len);
                if (h == null) {
                    return -1;
                }
                if (h.id == SEGMENT || h.id == TRACKS) {
                    p += h.length;
                    continue;
                }
                if (h.size == UNKNOWN_SIZE || p + h.length + h.size > len) {
                    return -1;
                }
                if (h.id == TRACK_ENTRY) {
                    long number = uint(head, p + h.length, (int) (p + h.length + h.size), TRACK_NUMBER);
                    if (uint(head, p + h.length, (int) (p + h.length + h.size), TRACK_TYPE) == VIDEO) {
                        return number;
                    }
                }
                p += h.length + (int) h.size;
            }
        } catch (MalformedStreamException e) {
            return -1;
        }
    }

    /** The unsigned integer element {@code id} among the children in {@code b[from, to)}, or -1. */
    private static long uint(byte[] b, int from, int to, int id) {
        int p = child(b, from, to, id);
        if (p < 0) {
            return -1;
        }
        Header h = header(b, p, to);
        if (h.size > 8) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < h.size; i++) {
            v = v << 8 | b[p + h.length + i] & 0xff;
        }
        return v;
    }
}
