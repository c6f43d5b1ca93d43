package org.lvlmworkbench.core.compress.lowrank;

import com.google.gson.annotations.SerializedName;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How {@link RankAllocator} shares a parameter budget among matrices. */
public enum Allocation {

    /** One keep fraction for all: {@code k = ⌊ρ·mn/(m + n)⌋} (SVD-LLM's rule), {@code ρ} searched. */
    @SerializedName("uniform")
    UNIFORM("uniform"),

    /** One retained-energy threshold ({@code Σ_{i≤k} σ_i² / Σσ²}) for all, searched. */
    @SerializedName("energy")
    ENERGY("energy"),

    /** SVD-LLM V2's heterogeneous allocation: within each role, less removed where the truncation loss is larger. */
    @SerializedName("loss")
    LOSS("loss"),

    /** D-Rank: ranks in proportion to the effective rank, water-filled under the caps. */
    @SerializedName("erank")
    ERANK("erank"),

    /** DipSVD's global protection: per-layer keep fractions from sensitivity and effective rank. */
    @SerializedName("dip")
    DIP("dip");

    private final String jsonName;

    Allocation(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    @Override
    public String toString() {
        return jsonName;
    }

    public static Allocation fromJson(String name) {
        for (Allocation a : values()) {
            if (a.jsonName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown rank allocation '" + name + "'; known: "
                + Arrays.stream(values()).map(Allocation::jsonName).collect(Collectors.joining(", ")));
    }
}
