package io.arborcast.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arborcast.core.ChannelListing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The directory's listings as JSON, for {@code /api/directory} and {@code channels --json}. */
public final class DirectoryJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DirectoryJson() {
    }

    /** A JSON array of the listings, one object each: every field but the key and signature (verified already). */
    public static String of(List<ChannelListing> listings, boolean pretty) {
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
            m.put("playUrl", "/stream/" + l.channelId().toHex());
            out.add(m);
        }
        try {
            return pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n"
                    : JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("listings not serialisable", e);
        }
    }
}
