package io.arborcast.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class IcyMetadataTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A block after every metaint audio bytes across chunk edges; the title once, then zero-length blocks. */
    @Test
    void blocksFallEveryMetaintBytesAndTheTitleIsSentOncePerChange() {
        IcyMetadata meta = new IcyMetadata(10);
        ByteArrayOutputStream played = new ByteArrayOutputStream();
        byte[] audio = new byte[25];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (byte) ('a' + i);
        }
        played.writeBytes(interleave(meta, audio, "One"));
        played.writeBytes(interleave(meta, audio, "One"));
        played.writeBytes(interleave(meta, audio, "Two"));
        byte[] out = played.toByteArray();

        byte[] one = IcyMetadata.encode("One");
        assertThat(one[0]).isEqualTo((byte) 2); // "StreamTitle='One';" is 18 bytes: two 16-byte blocks
        assertThat(new String(one, 1, 18, StandardCharsets.UTF_8)).isEqualTo("StreamTitle='One';");
        // audio 0-9, block(One), audio 10-19, 0, audio 20-24 | 0-4, 0, 5-14, 0, 15-24, 0 | 0-9, block(Two), ...
        int p = 0;
        assertThat(slice(out, p, 10)).isEqualTo(slice(audio, 0, 10));
        p += 10;
        assertThat(slice(out, p, one.length)).isEqualTo(one);
        p += one.length;
        assertThat(slice(out, p, 10)).isEqualTo(slice(audio, 10, 10));
        p += 10;
        assertThat(out[p++]).isZero(); // same title: an empty block
        assertThat(slice(out, p, 5)).isEqualTo(slice(audio, 20, 5));
        p += 5;
        assertThat(slice(out, p, 5)).isEqualTo(slice(audio, 0, 5));
        p += 5;
        assertThat(out[p++]).isZero();
        p += 10;
        assertThat(out[p++]).isZero();
        p += 10;
        assertThat(out[p++]).isZero();
        p += 10;
        assertThat(slice(out, p, IcyMetadata.encode("Two").length)).isEqualTo(IcyMetadata.encode("Two"));
        assertThat(out).hasSize(3 * 25 + one.length + 4 + IcyMetadata.encode("Two").length + 1);
    }

    /** The audio is not copied: the result holds slices of the caller's buffer, which keeps its own reference. */
    @Test
    void theAudioBufferIsSharedNotCopied() {
        IcyMetadata meta = new IcyMetadata(8);
        ByteBuf audio = ALLOC.directBuffer(20).writeBytes(new byte[20]);
        ByteBuf out = meta.interleave(audio, "x", ALLOC);
        assertThat(audio.refCnt()).isGreaterThan(1);
        assertThat(out.isDirect()).isTrue();
        audio.setByte(0, 7); // a change to the shared bytes shows in the result
        assertThat(out.getByte(0)).isEqualTo((byte) 7);
        out.release();
        assertThat(audio.refCnt()).isEqualTo(1);
        audio.release();
    }

    private static byte[] interleave(IcyMetadata meta, byte[] audio, String title) {
        ByteBuf in = ALLOC.directBuffer(audio.length).writeBytes(audio);
        ByteBuf out = meta.interleave(in, title, ALLOC);
        in.release();
        byte[] b = ByteBufUtil.getBytes(out);
        out.release();
        return b;
    }

    private static byte[] slice(byte[] b, int from, int n) {
        return java.util.Arrays.copyOfRange(b, from, from + n);
    }
}
