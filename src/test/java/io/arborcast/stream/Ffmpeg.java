package io.arborcast.stream;

import io.arborcast.ExternalTools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real ffmpeg (installed by .ci/run) to make and to check test streams. */
final class Ffmpeg {
    private Ffmpeg() {
    }

    /** Encodes {@code seconds} of a 440 Hz sine with the given codec and container format. */
    static byte[] sine(int seconds, String codec, String format, String... extra) throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=44100", "-t", Integer.toString(seconds), "-c:a", codec));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-f", format, "pipe:1"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg failed to encode " + codec + "/" + format);
        }
        return out;
    }

    /**
     * Encodes {@code seconds} of a moving test picture (320x240, 25 fps) and a sine, with the
     * codecs {@code codecArgs} name, in {@code format}, written as a live muxer writes to a pipe.
     */
    static byte[] video(int seconds, String format, String... codecArgs) throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t",
                Integer.toString(seconds)));
        cmd.addAll(List.of(codecArgs));
        cmd.addAll(List.of("-f", format, "pipe:1"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg failed to encode " + String.join(" ", codecArgs) + " in " + format);
        }
        return out;
    }

    /** {@code data} (as {@code format}) encoded again at {@code width} x {@code height} with {@code codecArgs}. */
    static byte[] scaled(byte[] data, String format, int width, int height, String... codecArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-f", format, "-i", "pipe:0",
                "-vf", "scale=" + width + ":" + height));
        cmd.addAll(List.of(codecArgs));
        cmd.addAll(List.of("-f", format, "pipe:1"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feeder = writeStdin(p, data);
        byte[] out = p.getInputStream().readAllBytes();
        feeder.join();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg failed to scale " + format);
        }
        return out;
    }

    /** Frames ffmpeg decodes of the first video stream in {@code data} (as {@code format}). */
    static int videoFrames(byte[] data, String format) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-f", format, "-i", "pipe:0", "-select_streams", "v:0",
                "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0").start();
        Thread feeder = writeStdin(p, data);
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffprobe could not count frames: " + out);
        }
        feeder.join();
        return Integer.parseInt(out.split("[,\\s]")[0]);
    }

    /** Frames ffmpeg decodes of the first video stream in {@code data} (as {@code format}), counted by decoding all. */
    static int decodedVideoFrames(byte[] data, String format) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", format, "-i", "pipe:0", "-map", "0:v:0",
                "-f", "null", "-", "-progress", "pipe:1").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feeder = writeStdin(p, data);
        String progress = new String(p.getInputStream().readAllBytes());
        feeder.join();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg could not decode " + format);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^frame=(\\d+)$").matcher(progress);
        int frames = -1;
        while (m.find()) {
            frames = Integer.parseInt(m.group(1));
        }
        return frames;
    }

    /** Decodes {@code data} as {@code format}; returns ffmpeg's error output (empty when clean). */
    static String decodeErrors(byte[] data, String format) throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", format, "-i", "pipe:0", "-f", "null",
                "-").start();
        Thread feeder = writeStdin(p, data);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (InputStream e = p.getErrorStream()) {
            e.transferTo(err);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ffmpeg did not finish decoding");
        }
        feeder.join();
        return err.toString().trim() + (p.exitValue() != 0 ? " (exit " + p.exitValue() + ")" : "");
    }

    /**
     * Writes {@code data} to {@code p}'s stdin on a thread of its own (its output is read
     * meanwhile) and closes it; the tool may stop reading early, and its output or exit code says why.
     */
    private static Thread writeStdin(Process p, byte[] data) {
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(data);
            } catch (IOException ignored) {
                // the tool stopped reading: what it printed tells
            }
        });
        feeder.start();
        return feeder;
    }
}
