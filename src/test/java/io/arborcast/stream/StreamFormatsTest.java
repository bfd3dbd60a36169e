package io.arborcast.stream;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Frame and page boundaries checked against real ffmpeg-made streams and ffmpeg's own decoder. */
class StreamFormatsTest {
    @Test
    void mp3StreamCutAtFrameBoundariesDecodesFromAnyCut() throws Exception {
        byte[] mp3 = Ffmpeg.sine(4, "libmp3lame", "mp3", "-b:a", "128k", "-id3v2_version", "0",
                "-write_xing", "0");
        Mp3Frames split = new Mp3Frames();
        assertThat(split.completeLength(mp3, mp3.length)).isEqualTo(mp3.length);
        Random r = new Random(1);
        for (int i = 0; i < 5; i++) {
            int n = mp3.length / 5 + r.nextInt(mp3.length / 2);
            int cut = split.completeLength(mp3, n);
            assertThat(cut).isBetween(n - 1044, n); // at most one 128 kbit/s frame (417-418 B) held back
            assertThat(Mp3Frames.frameLength(mp3, cut)).isGreaterThan(0); // the rest starts on a frame header
            assertThat(Ffmpeg.decodeErrors(Arrays.copyOfRange(mp3, cut, mp3.length), "mp3")).isEmpty();
            assertThat(Ffmpeg.decodeErrors(Arrays.copyOf(mp3, cut), "mp3")).isEmpty();
        }
    }

    @Test
    void mp3SplitterSkipsGarbageAndFalseSyncs() throws Exception {
        byte[] mp3 = Ffmpeg.sine(1, "libmp3lame", "mp3", "-b:a", "128k", "-id3v2_version", "0",
                "-write_xing", "0");
        byte[] junk = {0x12, (byte) 0xFF, (byte) 0xFB, 0x00, 0x55}; // a sync-looking pair that is no frame
        byte[] joined = new byte[junk.length + mp3.length];
        System.arraycopy(junk, 0, joined, 0, junk.length);
        System.arraycopy(mp3, 0, joined, junk.length, mp3.length);
        Mp3Frames split = new Mp3Frames();
        assertThat(split.completeLength(joined, joined.length)).isEqualTo(joined.length);
        assertThat(split.completeLength(joined, 3)).isZero();
    }

    @Test
    void anEncodersId3TagIsMeasuredWhole() throws Exception {
        byte[] tagged = Ffmpeg.sine(1, "libmp3lame", "mp3", "-b:a", "128k", "-write_xing", "0",
                "-metadata", "title=A title long enough to matter");
        int tag = Mp3Frames.id3Length(tagged, 0, tagged.length);
        assertThat(tag).isGreaterThan(10 + "A title long enough to matter".length());
        assertThat(Mp3Frames.frameLength(tagged, tag)).as("a frame right after the tag").isGreaterThan(0);
        assertThat(Ffmpeg.decodeErrors(Arrays.copyOfRange(tagged, tag, tagged.length), "mp3")).isEmpty();
        assertThat(Mp3Frames.id3Length(tagged, tag, tagged.length - tag)).as("a frame is no tag").isZero();
        assertThat(Mp3Frames.id3Length(tagged, 0, 9)).as("too short to tell").isZero();
    }

    @Test
    void oggVorbisHeadPlusAnyLaterPageDecodes() throws Exception {
        byte[] ogg = Ffmpeg.sine(6, "libvorbis", "ogg");
        OggPages split = new OggPages();
        assertThat(split.completeLength(ogg, ogg.length)).isEqualTo(ogg.length);
        int head = OggPages.headLength(ogg, ogg.length);
        assertThat(head).isGreaterThan(28);
        assertThat(OggPages.headLength(ogg, head - 1)).isEqualTo(-1); // not complete yet
        Random r = new Random(2);
        for (int i = 0; i < 4; i++) {
            int cut = split.completeLength(ogg, head + 1 + r.nextInt(ogg.length - head - 1));
            assertThat(OggPages.pageLength(ogg, cut, ogg.length)).isNotNegative();
            byte[] lateListener = new byte[head + ogg.length - cut];
            System.arraycopy(ogg, 0, lateListener, 0, head);
            System.arraycopy(ogg, cut, lateListener, head, ogg.length - cut);
            assertThat(Ffmpeg.decodeErrors(lateListener, "ogg")).isEmpty();
        }
    }

    @Test
    void oggOpusHeadIsFound() throws Exception {
        byte[] ogg = Ffmpeg.sine(2, "libopus", "ogg");
        int head = OggPages.headLength(ogg, ogg.length);
        assertThat(head).isGreaterThan(0).isLessThan(ogg.length);
        assertThat(new OggPages().completeLength(ogg, ogg.length)).isEqualTo(ogg.length);
        assertThat(FrameSplitter.forContentType("audio/ogg")).isInstanceOf(OggPages.class);
        assertThat(FrameSplitter.forContentType("audio/mpeg")).isInstanceOf(Mp3Frames.class);
        assertThat(FrameSplitter.forContentType("application/octet-stream").completeLength(new byte[7], 7))
                .isEqualTo(7);
    }
}
