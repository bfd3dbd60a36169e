package io.arborcast.gateway;

import io.arborcast.stream.MalformedStreamException;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ingest side of RTMP as OBS and ffmpeg publish ({@code rtmp://node:port/app/key}), with
 * no I/O: the client's bytes go in ({@link #receive}), what to send back comes out
 * ({@link #replies}), and the published audio, video and metadata leave as an FLV stream
 * through a {@link Sink}. It does the plain handshake (version 3; no RTMPE), reassembles
 * messages from the chunk stream (all four header types, extended timestamps, the client's
 * chunk size, aborts), acknowledges the bytes it got when the client asks for that, and
 * answers {@code connect}, {@code releaseStream}, {@code FCPublish}, {@code createStream} and
 * {@code publish}, which the sink takes or refuses. Anything a client could use to make us hold
 * memory is bounded (message size, chunk streams, bytes held in unfinished messages); what
 * breaks the protocol is a {@link MalformedStreamException}, and the host closes the
 * connection.
 */
final class RtmpIngest {
    /** The first byte a client sends: plain RTMP. */
    static final int VERSION = 3;
    static final int HANDSHAKE = 1536;
    /** The largest message taken: a keyframe of a 20 Mbit/s stream with a 2 s GOP fits several times over. */
    static final int MAX_MESSAGE = 8 << 20;
    /** Bytes held in messages not yet complete, over all chunk streams. */
    static final int MAX_UNFINISHED = 2 * MAX_MESSAGE;
    static final int MAX_CHUNK_STREAMS = 64;
    private static final int[] HEADER_BYTES = {11, 7, 3, 0};
    private static final int OUT_CHUNK = 4096;
    private static final int WINDOW = 2_500_000;
    private static final int STREAM_ID = 1;
    private static final int CONTROL_CSID = 2, COMMAND_CSID = 3, STATUS_CSID = 5;
    private static final int SET_CHUNK_SIZE = 1, ABORT = 2, ACK = 3, USER_CONTROL = 4, WINDOW_ACK_SIZE = 5,
            PEER_BANDWIDTH = 6, AUDIO = 8, VIDEO = 9, AMF3_DATA = 15, AMF3_COMMAND = 17, AMF0_DATA = 18,
            AMF0_COMMAND = 20, AGGREGATE = 22;

    /** Where a publish goes. All calls come from within {@link #receive}. */
    interface Sink {
        /** A client asks to publish stream {@code key} of {@code app}: null takes it, else the reason it is refused. */
        String publish(String app, String key);

        /** The publish's first media: its {@code onMetaData} if that came first (else empty); FLV follows. */
        void start(Map<String, Object> metadata);

        /** The next bytes of the FLV stream, the header first. */
        void flv(byte[] bytes);
    }

    /** One chunk stream's message being reassembled, and the header values later chunks inherit. */
    private static final class ChunkStream {
        int length;
        int type;
        long streamId;
        long timestamp;
        long delta;
        boolean extended;
        byte[] message;
        int filled;
    }

    private final Sink sink;
    private final ByteArrayOutputStream replies = new ByteArrayOutputStream();
    private final Map<Integer, ChunkStream> streams = new HashMap<>();
    private byte[] pending = new byte[8192];
    private int pendingLength;
    private int handshakeLeft = 1 + HANDSHAKE; // C0 and C1; then C2
    private boolean sentS0S1S2;
    private int inChunk = 128;
    private int outChunk = 128;
    private long received;
    private long acknowledged;
    private long window;
    private long unfinished;
    private String app;
    private boolean publishing;
    private boolean started;
    private boolean ended;

    RtmpIngest(Sink sink) {
        this.sink = sink;
    }

    /** Whether the session is over (refused, or the stream unpublished): the host sends the replies and closes. */
    boolean ended() {
        return ended;
    }

    /** Whether a publish was taken. */
    boolean publishing() {
        return publishing;
    }

    /** What to send to the client now (empty if nothing). */
    byte[] replies() {
        byte[] r = replies.toByteArray();
        replies.reset();
        return r;
    }

    /** The client's next bytes. */
    void receive(byte[] b, int off, int n) {
        if (ended) {
            return;
        }
        if (pendingLength + n > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        System.arraycopy(b, off, pending, pendingLength, n);
        pendingLength += n;
        received += n;
        int p = 0;
        while (!ended) {
            int used = handshakeLeft > 0 ? handshake(p) : chunk(p);
            if (used == 0) {
                break;
            }
            p += used;
        }
        System.arraycopy(pending, p, pending, 0, pendingLength - p);
        pendingLength -= p;
        if (window > 0 && received - acknowledged >= window) {
            acknowledged = received;
            send(CONTROL_CSID, ACK, 0, u32((int) received));
        }
    }

    private static MalformedStreamException malformed(String why) {
        return new MalformedStreamException("malformed RTMP: " + why);
    }

    /** C0 and C1 (answered with S0, S1 and S2, the echo of C1), then C2 (read and dropped). */
    private int handshake(int p) {
        if (!sentS0S1S2) {
            if (pendingLength - p < 1 + HANDSHAKE) {
                return 0;
            }
            int version = pending[p] & 0xff;
            if (version != VERSION) {
                throw malformed("version " + version + " (only plain RTMP, version 3, is taken)");
            }
            replies.write(VERSION);
            replies.writeBytes(new byte[HANDSHAKE]); // S1: time 0, zeros (no digest: the plain handshake)
            replies.write(pending, p + 1, HANDSHAKE); // S2 echoes C1
            sentS0S1S2 = true;
            handshakeLeft = HANDSHAKE;
            return 1 + HANDSHAKE;
        }
        if (pendingLength - p < HANDSHAKE) {
            return 0;
        }
        handshakeLeft = 0;
        return HANDSHAKE;
    }

    /** Reads one chunk at {@code p}; returns its length, 0 if it is not all there yet. */
    private int chunk(int p) {
        int q = p;
        if (q >= pendingLength) {
            return 0;
        }
        int fmt = (pending[q] & 0xff) >> 6;
        int csid = pending[q++] & 0x3f;
        if (csid == 0) {
            if (q + 1 > pendingLength) {
                return 0;
            }
            csid = 64 + (pending[q++] & 0xff);
        } else if (csid == 1) {
            if (q + 2 > pendingLength) {
                return 0;
            }
            csid = 64 + (pending[q] & 0xff) + (pending[q + 1] & 0xff) * 256;
            q += 2;
        }
        int header = HEADER_BYTES[fmt];
        if (q + header > pendingLength) {
            return 0;
        }
        ChunkStream cs = streams.get(csid);
        if (cs == null) {
            if (streams.size() >= MAX_CHUNK_STREAMS) {
                throw malformed("more than " + MAX_CHUNK_STREAMS + " chunk streams");
            }
            cs = new ChunkStream(); // a stream's first header may leave out what a zeroed one has
            streams.put(csid, cs);
        }
        long field = fmt < 3 ? u24(q) : 0;
        boolean extended = fmt < 3 ? field == 0xFFFFFF : cs.extended;
        if (q + header + (extended ? 4 : 0) > pendingLength) {
            return 0;
        }
        if (extended) {
            field = u32(pending, q + header);
        }
        boolean fresh = cs.filled == 0;
        if (fmt < 3 && !fresh) {
            throw malformed("chunk stream " + csid + " starts a new message before its message of " + cs.length
                    + " bytes ended");
        }
        int length = fmt < 2 ? u24(q + 3) : cs.length;
        if (fresh && length > MAX_MESSAGE) {
            throw malformed("a message of " + length + " bytes (at most " + MAX_MESSAGE + " taken)");
        }
        if (fresh && unfinished + length > MAX_UNFINISHED) {
            throw malformed("more than " + MAX_UNFINISHED + " bytes in unfinished messages");
        }
        int payload = Math.min(inChunk, length - (fresh ? 0 : cs.filled));
        int start = q + header + (extended ? 4 : 0);
        if (start + payload > pendingLength) {
            return 0;
        }
        // the chunk is all there: its header takes effect
        switch (fmt) {
            case 0 -> {
                cs.type = pending[q + 6] & 0xff;
                cs.streamId = u32le(q + 7);
                cs.timestamp = field;
                cs.delta = field;
            }
            case 1 -> {
                cs.type = pending[q + 6] & 0xff;
                cs.delta = field;
                cs.timestamp += field;
            }
            case 2 -> {
                cs.delta = field;
                cs.timestamp += field;
            }
            default -> {
                if (fresh) {
                    cs.timestamp += cs.delta;
                }
            }
        }
        cs.length = length;
        cs.extended = extended;
        if (fresh) {
            cs.message = new byte[length];
            unfinished += length;
        }
        System.arraycopy(pending, start, cs.message, cs.filled, payload);
        cs.filled += payload;
        if (cs.filled == length) {
            byte[] message = cs.message;
            cs.message = null;
            cs.filled = 0;
            unfinished -= length;
            message(cs.type, cs.timestamp & 0xFFFFFFFFL, message);
        }
        return start + payload - p;
    }

    private void message(int type, long timestamp, byte[] m) {
        switch (type) {
            case SET_CHUNK_SIZE -> {
                int size = (int) (u32(need(m, 4), 0) & 0x7FFFFFFF);
                if (size < 1) {
                    throw malformed("chunk size 0");
                }
                inChunk = size;
            }
            case ABORT -> {
                ChunkStream cs = streams.get((int) u32(need(m, 4), 0));
                if (cs != null && cs.filled > 0) {
                    unfinished -= cs.length;
                    cs.message = null;
                    cs.filled = 0;
                }
            }
            case WINDOW_ACK_SIZE -> window = u32(need(m, 4), 0);
            case ACK, USER_CONTROL, PEER_BANDWIDTH -> {
            }
            case AMF0_COMMAND -> command(m, 0);
            case AMF3_COMMAND -> command(m, 1); // a format byte, then AMF0 as Flash sends it
            case AMF0_DATA -> data(m, 0, timestamp);
            case AMF3_DATA -> data(m, 1, timestamp);
            case AUDIO, VIDEO -> media(type, timestamp, m, 0);
            case AGGREGATE -> throw malformed("aggregate messages are not taken");
            default -> {
                // other types carry nothing for an ingest (shared objects and the like)
            }
        }
    }

    private static byte[] need(byte[] m, int n) {
        if (m.length < n) {
            throw malformed("a control message of " + m.length + " bytes");
        }
        return m;
    }

    private void command(byte[] m, int from) {
        Amf0.Reader r = new Amf0.Reader(m, Math.min(from, m.length), m.length);
        if (!(r.next() instanceof String name)) {
            throw malformed("a command without a name");
        }
        Object txid = r.more() ? r.next() : null;
        Object object = r.more() ? r.next() : null;
        Object arg = r.more() ? r.next() : null;
        switch (name) {
            case "connect" -> {
                Object given = object instanceof Map<?, ?> o ? o.get("app") : null;
                app = given instanceof String s ? s : "";
                send(CONTROL_CSID, WINDOW_ACK_SIZE, 0, u32(WINDOW));
                send(CONTROL_CSID, PEER_BANDWIDTH, 0, new byte[]{0, (byte) (WINDOW >> 16), (byte) (WINDOW >> 8), 0, 2});
                send(CONTROL_CSID, SET_CHUNK_SIZE, 0, u32(OUT_CHUNK));
                outChunk = OUT_CHUNK;
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("fmsVer", "FMS/3,0,1,123");
                server.put("capabilities", 31);
                invoke(COMMAND_CSID, 0, "_result", txid, server,
                        status("status", "NetConnection.Connect.Success", "Connection succeeded.", 0));
            }
            case "createStream" -> invoke(COMMAND_CSID, 0, "_result", txid, null, STREAM_ID);
            case "releaseStream", "FCPublish" -> invoke(COMMAND_CSID, 0, "_result", txid, null, null);
            case "publish" -> publish(arg);
            case "FCUnpublish", "deleteStream", "closeStream" -> ended = publishing;
            case "play" -> refuse("NetStream.Play.Failed",
                    "this node takes streams in over RTMP; play them over HTTP at /stream/<channel>");
            default -> {
                // e.g. _checkbw, getStreamLength: nothing an ingest needs to answer
            }
        }
    }

    private void publish(Object key) {
        if (app == null) {
            throw malformed("publish before connect");
        }
        if (publishing) {
            refuse("NetStream.Publish.BadName", "this connection already publishes");
            return;
        }
        String reason = sink.publish(app, key instanceof String s ? s : "");
        if (reason != null) {
            refuse("NetStream.Publish.BadName", reason);
            return;
        }
        publishing = true;
        send(CONTROL_CSID, USER_CONTROL, 0, new byte[]{0, 0, 0, 0, 0, STREAM_ID}); // StreamBegin
        invoke(STATUS_CSID, STREAM_ID, "onStatus", 0, null,
                status("status", "NetStream.Publish.Start", "Publishing.", null));
    }

    /** Tells the client why with an error status (ffmpeg prints "Server error: " and the description), then ends. */
    private void refuse(String code, String description) {
        invoke(STATUS_CSID, STREAM_ID, "onStatus", 0, null, status("error", code, description, null));
        ended = true;
    }

    private static Map<String, Object> status(String level, String code, String description, Integer encoding) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("level", level);
        s.put("code", code);
        s.put("description", description);
        if (encoding != null) {
            s.put("objectEncoding", encoding);
        }
        return s;
    }

    /** Stream data: {@code @setDataFrame} (dropped, as an RTMP server does) and the rest as a script tag. */
    private void data(byte[] m, int from, long timestamp) {
        if (!publishing) {
            return;
        }
        Amf0.Reader r = new Amf0.Reader(m, Math.min(from, m.length), m.length);
        int body = r.position();
        Object first = r.more() ? r.next() : null;
        if ("@setDataFrame".equals(first)) {
            body = r.position();
            first = r.more() ? r.next() : null;
        }
        Object second = r.more() ? r.next() : null;
        if (!started) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            if ("onMetaData".equals(first) && second instanceof Map<?, ?> map) {
                map.forEach((k, v) -> metadata.put((String) k, v));
            }
            begin(metadata);
        }
        media(AMF0_DATA, timestamp, m, body);
    }

    /** An FLV tag of {@code m} from {@code from}; the FLV header first if this is the publish's first. */
    private void media(int type, long timestamp, byte[] m, int from) {
        if (!publishing) {
            throw malformed("audio or video before publish");
        }
        int size = m.length - from;
        if (size == 0) {
            return; // nothing to play
        }
        if (!started) {
            begin(Map.of());
        }
        byte[] tag = new byte[11 + size + 4];
        tag[0] = (byte) type;
        putU24(tag, 1, size);
        putU24(tag, 4, (int) timestamp);
        tag[7] = (byte) (timestamp >> 24);
        System.arraycopy(m, from, tag, 11, size);
        int total = 11 + size;
        tag[11 + size] = (byte) (total >> 24);
        putU24(tag, 12 + size, total);
        sink.flv(tag);
    }

    /** The FLV header, its flags from the metadata's codecs (both when it names neither). */
    private void begin(Map<String, Object> metadata) {
        started = true;
        int flags = (metadata.get("audiocodecid") != null ? 4 : 0) | (metadata.get("videocodecid") != null ? 1 : 0);
        sink.start(metadata);
        sink.flv(new byte[]{'F', 'L', 'V', 1, (byte) (flags == 0 ? 5 : flags), 0, 0, 0, 9, 0, 0, 0, 0});
    }

    /** The bitrate the metadata gives (video plus audio, kbit/s), or 0 if it gives none. */
    static int bitrateKbps(Map<String, Object> metadata) {
        double kbps = 0;
        for (String k : List.of("videodatarate", "audiodatarate")) {
            if (metadata.get(k) instanceof Double d && d > 0 && d < 1e6) {
                kbps += d;
            }
        }
        return (int) Math.round(kbps);
    }

    private void invoke(int csid, int streamId, String name, Object txid, Object object, Object arg) {
        send(csid, AMF0_COMMAND, streamId, new Amf0.Writer().value(name).value(txid).value(object).value(arg).bytes());
    }

    /** One message in chunks of the size we announced: a full header, then continuation headers. */
    private void send(int csid, int type, int streamId, byte[] payload) {
        replies.write(csid);
        replies.writeBytes(new byte[3]); // timestamp 0
        byte[] header = new byte[8];
        putU24(header, 0, payload.length);
        header[3] = (byte) type;
        header[4] = (byte) streamId; // little-endian
        replies.writeBytes(header);
        for (int i = 0; i < payload.length; i += outChunk) {
            if (i > 0) {
                replies.write(0xC0 | csid);
            }
            replies.write(payload, i, Math.min(outChunk, payload.length - i));
        }
    }

    private int u24(int p) {
        return (pending[p] & 0xff) << 16 | (pending[p + 1] & 0xff) << 8 | pending[p + 2] & 0xff;
    }

    private static long u32(byte[] b, int p) {
        return (long) (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
    }

    private long u32le(int p) {
        return (pending[p] & 0xff) | (pending[p + 1] & 0xff) << 8 | (pending[p + 2] & 0xff) << 16
                | (long) (pending[p + 3] & 0xff) << 24;
    }

    private static byte[] u32(int v) {
        return new byte[]{(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static void putU24(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 16);
        b[p + 1] = (byte) (v >> 8);
        b[p + 2] = (byte) v;
    }
}
