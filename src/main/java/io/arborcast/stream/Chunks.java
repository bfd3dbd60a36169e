package io.arborcast.stream;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.End;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.crypto.ChannelKey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Signing and verifying chunks: Ed25519 by the channel key over (channel, seq, timestamp, payload). */
public final class Chunks {
    private static final byte[] DOMAIN = "ACHNK001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_DOMAIN = "AHEAD004".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_DOMAIN = "AEND0001".getBytes(StandardCharsets.US_ASCII);

    private Chunks() {
    }

    /** The bytes a chunk's signature covers. */
    public static byte[] signedBytes(NodeId channel, long seq, long timestamp, byte[] payload) {
        return ByteBuffer.allocate(DOMAIN.length + NodeId.BYTES + 16 + payload.length)
                .put(DOMAIN).put(channel.toBytes()).putLong(seq).putLong(timestamp).put(payload).array();
    }

    /** A chunk of {@code key}'s channel, signed. */
    public static Chunk sign(ChannelKey key, long seq, long timestamp, byte[] payload) {
        byte[] sig = key.sign(signedBytes(key.channelId(), seq, timestamp, payload));
        return new Chunk(key.channelId(), seq, timestamp, payload, sig);
    }

    /** A stream head and title of {@code key}'s channel, preceding chunk {@code firstSeq}, signed. */
    public static Head signHead(ChannelKey key, long version, long firstSeq, byte[] payload, String title) {
        return signHead(key, version, firstSeq, payload, title, ChannelInfo.EMPTY);
    }

    /** As {@link #signHead(ChannelKey, long, long, byte[], String)}, with what the publisher says of the channel. */
    public static Head signHead(ChannelKey key, long version, long firstSeq, byte[] payload, String title,
                                ChannelInfo info) {
        return new Head(key.channelId(), version, firstSeq, payload, title, info,
                key.sign(headBytes(key.channelId(), version, firstSeq, payload, title, info)));
    }

    /** True only if {@code h} is signed by {@code publicKey} and belongs to that key's channel. */
    public static boolean verify(byte[] publicKey, Head h) {
        return ChannelKey.channelId(publicKey).equals(h.channel())
                && ChannelKey.verify(publicKey, headBytes(h.channel(), h.version(), h.firstSeq(), h.payload(), h.title(),
                        h.info()), h.signature());
    }

    private static byte[] headBytes(NodeId channel, long version, long firstSeq, byte[] payload, String title,
                                    ChannelInfo info) {
        String[] words = {title, info.name(), info.genre(), info.description(), info.url(), info.comment()};
        byte[][] texts = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            texts[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        int length = HEAD_DOMAIN.length + NodeId.BYTES + 8 + 8 + 4 + payload.length;
        for (byte[] t : texts) {
            length += 4 + t.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length).put(HEAD_DOMAIN).put(channel.toBytes()).putLong(version)
                .putLong(firstSeq).putInt(payload.length).put(payload);
        for (byte[] t : texts) {
            b.putInt(t.length).put(t);
        }
        return b.array();
    }

    /** The end of {@code key}'s stream before chunk {@code nextSeq}, signed. */
    public static End signEnd(ChannelKey key, long nextSeq) {
        return new End(key.channelId(), nextSeq, key.sign(endBytes(key.channelId(), nextSeq)));
    }

    /** True only if {@code e} is signed by {@code publicKey} and belongs to that key's channel. */
    public static boolean verify(byte[] publicKey, End e) {
        return ChannelKey.channelId(publicKey).equals(e.channel())
                && ChannelKey.verify(publicKey, endBytes(e.channel(), e.nextSeq()), e.signature());
    }

    private static byte[] endBytes(NodeId channel, long nextSeq) {
        return ByteBuffer.allocate(END_DOMAIN.length + NodeId.BYTES + 8).put(END_DOMAIN).put(channel.toBytes())
                .putLong(nextSeq).array();
    }

    /** True only if {@code c} is signed by {@code publicKey} and belongs to that key's channel. */
    public static boolean verify(byte[] publicKey, Chunk c) {
        return ChannelKey.channelId(publicKey).equals(c.channel())
                && ChannelKey.verify(publicKey, signedBytes(c.channel(), c.seq(), c.timestamp(), c.payload()),
                        c.signature());
    }
}
