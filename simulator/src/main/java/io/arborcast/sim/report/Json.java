package io.arborcast.sim.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The JSON of run summaries (nested maps, lists, strings and numbers), indented. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** The JSON of {@code value}; a NaN (not measurable in this run) leaves its field out, as the contract asks. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(withoutNaN(value)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not plain JSON data: " + e.getMessage(), e);
        }
    }

    private static Object withoutNaN(Object v) {
        if (v instanceof java.util.Map<?, ?> m) {
            java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> {
                if (!(x instanceof Double d && d.isNaN())) {
                    out.put(k, withoutNaN(x));
                }
            });
            return out;
        }
        return v;
    }
}
