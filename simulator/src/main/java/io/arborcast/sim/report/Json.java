package io.arborcast.sim.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of run summaries, indented; a figure not measurable in a run (NaN, or null) leaves
 * its field out, as the summary.json contract asks.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.CUSTOM,
                    JsonInclude.Include.CUSTOM, NotMeasured.class, NotMeasured.class))
            .build();

    private Json() {
    }

    /** Jackson's filter of values left out: true (equal) for null and NaN. */
    static final class NotMeasured {
        @Override
        public boolean equals(Object value) {
            return value == null || value instanceof Double d && d.isNaN();
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** The JSON of {@code value} (records, maps, lists, strings and numbers). */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not plain JSON data: " + e.getMessage(), e);
        }
    }

    /** {@code value} as the nested maps its JSON would hold (fields in their order, unmeasured ones left out). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> tree(Object value) {
        return MAPPER.convertValue(value, LinkedHashMap.class);
    }
}
