package io.arborcast.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arborcast.core.ChannelListing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code channels} prints the directory: a table for people, JSON for programs. */
final class DirectoryTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DirectoryTable() {
    }

    /** One line per channel under a header: name, genre, listeners, bitrate, uptime, id. */
    static String text(List<ChannelListing> listings, long nowMillis) {
        if (listings.isEmpty()) {
            return "no live channels listed\n";
        }
        int name = "NAME".length();
        int genre = "GENRE".length();
        for (ChannelListing l : listings) {
            name = Math.max(name, l.name().length());
            genre = Math.max(genre, l.genre().length());
        }
        String row = "%-" + name + "s  %-" + genre + "s  %9s  %6s  %8s  %s%n";
        StringBuilder out = new StringBuilder(String.format(row, "NAME", "GENRE", "LISTENERS", "KBIT/S", "UPTIME",
                "ID"));
        for (ChannelListing l : listings) {
            out.append(String.format(row, l.name(), l.genre(), l.listeners(), l.bitrateKbps(),
                    uptime(nowMillis - l.startedAtMillis()), l.channelId().toHex()));
        }
        return out.toString();
    }

    /** {@code 3d 4h}, {@code 2h 05m}, {@code 7m}: how long a channel has been on. */
    static String uptime(long millis) {
        long minutes = Math.max(0, millis) / 60_000;
        long hours = minutes / 60;
        if (hours >= 24) {
            return hours / 24 + "d " + hours % 24 + "h";
        }
        return hours > 0 ? String.format("%dh %02dm", hours, minutes % 60) : minutes + "m";
    }

    /** A JSON array of the listings: every field but the key and signature (verified already). */
    static String json(List<ChannelListing> listings) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ChannelListing l : listings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", l.channelId().toHex());
            m.put("name", l.name());
            m.put("genre", l.genre());
            m.put("description", l.description());
            m.put("url", l.url());
            m.put("contentType", l.contentType());
            m.put("bitrateKbps", l.bitrateKbps());
            m.put("listeners", l.listeners());
            m.put("startedAtMillis", l.startedAtMillis());
            out.add(m);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("listings not serialisable", e);
        }
    }
}
