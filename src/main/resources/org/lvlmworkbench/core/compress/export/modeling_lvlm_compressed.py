# Written by LVLM Workbench's `export` beside a compressed LLaVA checkpoint (transformers 5).
#
#     model = AutoModelForImageTextToText.from_pretrained(folder, trust_remote_code=True)
#
# builds the standard LlavaForConditionalGeneration, then changes it as config.json says:
#
# * "low_rank_ranks": {checkpoint module name: rank}. Each listed nn.Linear becomes a FactoredLinear,
#   y = up(down(x)) + bias, whose weights are NAME.down.weight [rank, in] and NAME.up.weight [out, rank]
#   (the bias keeps NAME.bias). Ranks differ from matrix to matrix.
# * text_config "drop_attn_list" / "drop_mlp_list": decoder layers whose attention or MLP sub-layer
#   (with its norm) was removed; the residual stream passes through unchanged there (LLM-Drop).
# * "visual_token_pruning": {"version": 1, "stages": [...]}: before decoder layer K a stage removes
#   image tokens from the sequence, as the workbench's Java engine does (VisualTokenPruning.java):
#   fastv / schedule / adaptive score each image token by the head-mean attention that the last
#   prompt token pays it at layer K-1; diversity keeps a greedy max-min cosine set of the hidden
#   states entering K. Text tokens always stay. Kept tokens keep their original rotary positions,
#   the causal mask runs over the kept rows in their original order, and generation continues at
#   the original prompt length. Pruning runs when a forward pass's input_ids hold image tokens (the
#   prefill of a generation), one sequence at a time; a pass given inputs_embeds instead is not pruned.
#
# Layer indices in the config are those of the compressed decoder. Only config.json is read; nothing
# else in this file depends on the model it was exported from.
import math

import torch
from torch import nn
from transformers import LlavaForConditionalGeneration
from transformers.cache_utils import DynamicCache
from transformers.modeling_outputs import BaseModelOutputWithPast

# Checkpoint prefixes of the four LLaVA key layouts -> the module tree of transformers 5.
_PREFIXES = (
    ("model.vision_tower.vision_model.", "model.vision_tower."),
    ("vision_tower.vision_model.", "model.vision_tower."),
    ("model.vision_tower.", "model.vision_tower."),
    ("vision_tower.", "model.vision_tower."),
    ("model.multi_modal_projector.", "model.multi_modal_projector."),
    ("multi_modal_projector.", "model.multi_modal_projector."),
    ("model.language_model.", "model.language_model."),
    ("language_model.model.", "model.language_model."),
    ("language_model.lm_head", "lm_head"),
)

# Keyword arguments the stock text model consumes itself and never hands to its layers.
_NOT_FOR_LAYERS = ("output_attentions", "output_hidden_states", "return_dict", "cache_position", "logits_to_keep")

_COUNT_SLACK = 1e-9


class FactoredLinear(nn.Module):
    """A low-rank affine map y = up(down(x)) + bias: rank * (in + out) weights instead of in * out."""

    def __init__(self, in_features, out_features, rank, bias, dtype=None, device=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.rank = rank
        self.down = nn.Linear(in_features, rank, bias=False, dtype=dtype, device=device)
        self.up = nn.Linear(rank, out_features, bias=False, dtype=dtype, device=device)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        y = self.up(self.down(x))
        return y if self.bias is None else y + self.bias

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, rank={self.rank}"


def _module_path(model, name):
    for prefix, target in _PREFIXES:
        if name.startswith(prefix):
            path = target + name[len(prefix):]
            break
    else:
        path = name
    try:
        model.get_submodule(path)
    except AttributeError as e:
        raise ValueError(f"config.json low_rank_ranks: no module {path!r} for checkpoint name {name!r}") from e
    return path


class _SubLayerDrops:
    """Mixed into a decoder layer's class: a sub-layer set to None passes the residual stream through."""

    def forward(self, hidden_states, attention_mask=None, position_ids=None, past_key_values=None, use_cache=False,
                position_embeddings=None, **kwargs):
        if self.self_attn is not None:
            residual = hidden_states
            hidden_states = self.input_layernorm(hidden_states)
            hidden_states, _ = self.self_attn(
                hidden_states=hidden_states,
                attention_mask=attention_mask,
                position_ids=position_ids,
                past_key_values=past_key_values,
                use_cache=use_cache,
                position_embeddings=position_embeddings,
                **kwargs,
            )
            hidden_states = residual + hidden_states
        if self.mlp is not None:
            residual = hidden_states
            hidden_states = self.post_attention_layernorm(hidden_states)
            hidden_states = self.mlp(hidden_states)
            hidden_states = residual + hidden_states
        return hidden_states


def _with_mixin(module, mixin):
    cls = type(module)
    module.__class__ = type("LvlmCompressed" + cls.__name__, (mixin, cls), {})


# ---- visual-token selection, as core.model.pruning.TokenSelection ----

def _keep_count(fraction, n):
    k = math.ceil(fraction * n - _COUNT_SLACK)
    return max(0, min(n, k))


def _by_score_descending(scores):
    ranked = [float("-inf") if math.isnan(s) else s for s in scores]
    return sorted(range(len(scores)), key=lambda i: (-ranked[i], i))


def _top_k(scores, k):
    return sorted(_by_score_descending(scores)[:k])


def _mass_cover(scores, mass, min_keep):
    n = len(scores)
    clean = [0.0 if (math.isnan(s) or s < 0) else s for s in scores]
    total = 0.0
    for s in clean:
        total += s
    if not total > 0:
        return list(range(n))
    order = _by_score_descending(scores)
    target = mass * total
    acc = 0.0
    m = n
    for i in range(n):
        acc += clean[order[i]]
        if acc >= target:
            m = i + 1
            break
    count = max(min(min_keep, n), m)
    return sorted(order[:count])


def _max_min_diversity(features, k):
    """Greedy max-min cosine distance (DivPrune), ties to the lower index; features [n, width]."""
    n = features.shape[0]
    if k == 0:
        return []
    f = features.to(torch.float64)
    norms = f.norm(dim=1)
    safe = torch.where(norms > 0, norms, torch.ones_like(norms))
    cos = (f @ f.T) / (safe[:, None] * safe[None, :])
    zero = (norms == 0)
    cos[zero, :] = 0
    cos[:, zero] = 0
    d = 1 - cos
    d.fill_diagonal_(0)
    if n == 1:
        first = 0
    else:
        second = torch.sort(d, dim=0).values[1]
        first = int(torch.argmax(second))  # the first of equal maxima
    kept = [first]
    picked = torch.zeros(n, dtype=torch.bool)
    picked[first] = True
    nearest = d[first].clone()
    for _ in range(1, k):
        candidates = torch.where(picked, torch.full_like(nearest, float("-inf")), nearest)
        nxt = int(torch.argmax(candidates))
        kept.append(nxt)
        picked[nxt] = True
        nearest = torch.minimum(nearest, d[nxt])
    return sorted(kept)


def _select(stage, scores, features, original_count):
    method = stage["method"]
    if method == "fastv":
        return _top_k(scores, _keep_count(1 - stage["ratio"], len(scores)))
    if method == "schedule":
        return _top_k(scores, min(len(scores), _keep_count(stage["keep"], original_count)))
    if method == "adaptive":
        return _mass_cover(scores, stage["mass"], stage["min_keep"])
    if method == "diversity":
        return _max_min_diversity(features, _keep_count(1 - stage["ratio"], features.shape[0]))
    raise ValueError(f"config.json visual_token_pruning: unknown method {method!r}")


def _causal_mask(rows, past, dtype, device):
    """Additive mask [1, 1, rows, past + rows]: every cached key, and the rows up to each row itself."""
    if rows == 1:
        return None
    keys = torch.arange(past + rows, device=device)[None, :]
    queries = torch.arange(rows, device=device)[:, None] + past
    mask = torch.zeros(rows, past + rows, dtype=dtype, device=device)
    mask = mask.masked_fill(keys > queries, torch.finfo(dtype).min)
    return mask[None, None]


class _CompressedTextModel:
    """Mixed into the text model's class: sub-layer drops and visual-token pruning in one layer loop."""

    def forward(self, input_ids=None, attention_mask=None, position_ids=None, past_key_values=None,
                inputs_embeds=None, use_cache=None, **kwargs):
        image_mask = self.__dict__.pop("_lvlm_image_mask", None)
        stages = {s["layer"]: s for s in self._lvlm_stages}
        output_hidden_states = kwargs.get("output_hidden_states") or False
        for key in _NOT_FOR_LAYERS:
            kwargs.pop(key, None)
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embed_tokens(input_ids)
        batch, rows, _ = inputs_embeds.shape
        if use_cache is None:
            use_cache = self.config.use_cache
        if use_cache and past_key_values is None:
            past_key_values = DynamicCache(config=self.config)
        if position_ids is None:
            start = getattr(past_key_values, "lvlm_position", None) if past_key_values is not None else None
            if start is None:
                start = past_key_values.get_seq_length() if past_key_values is not None else 0
            position_ids = (torch.arange(rows, device=inputs_embeds.device) + start).unsqueeze(0).expand(batch, -1)
        prune = bool(stages) and image_mask is not None and bool(image_mask.any())
        if prune and batch != 1:
            raise ValueError(f"visual-token pruning runs one sequence at a time, this batch has {batch}")
        padding = attention_mask is not None and attention_mask.dim() == 2 and not bool(attention_mask.all())
        if padding and (prune or getattr(past_key_values, "lvlm_pruned", False)):
            raise ValueError("visual-token pruning does not run on padded batches; run one sequence at a time")

        hidden = inputs_embeds
        positions = position_ids
        image_rows = image_mask[0].clone() if prune else None
        original_images = int(image_rows.sum()) if prune else 0
        scores_row = None
        all_hidden = ()
        for i, layer in enumerate(self.layers[: self.config.num_hidden_layers]):
            stage = stages.get(i) if prune else None
            if stage is not None:
                images = torch.nonzero(image_rows).flatten()
                if stage["method"] == "diversity":
                    keep = _select(stage, None, hidden[0, images].float(), original_images)
                else:
                    if scores_row is None:
                        raise ValueError(f"visual-token pruning at layer {i} scores with layer {i - 1}'s attention, "
                                         "which this model does not have (its attention was dropped)")
                    offset = scores_row.shape[0] - hidden.shape[1]
                    scores = [float(s) for s in scores_row[offset + images]]
                    keep = _select(stage, scores, None, original_images)
                stays = ~image_rows
                stays[images[keep]] = True
                kept_rows = torch.nonzero(stays).flatten()
                hidden = hidden[:, kept_rows]
                positions = positions[:, kept_rows]
                image_rows = image_rows[kept_rows]
                if past_key_values is not None:
                    past_key_values.lvlm_pruned = True
            if output_hidden_states:
                all_hidden += (hidden,)
            rows_now = hidden.shape[1]
            past = past_key_values.get_seq_length(i) if past_key_values is not None and layer.self_attn is not None else 0
            mask = _causal_mask(rows_now, past, hidden.dtype, hidden.device)
            if padding:
                keys = attention_mask[:, -(past + rows_now):]
                pad = torch.zeros(keys.shape, dtype=hidden.dtype, device=hidden.device)
                pad = pad.masked_fill(keys == 0, torch.finfo(hidden.dtype).min)[:, None, None, :]
                mask = pad if mask is None else torch.clamp(mask + pad, min=torch.finfo(hidden.dtype).min)
            position_embeddings = self.rotary_emb(hidden, position_ids=positions)
            next_stage = stages.get(i + 1) if prune else None
            scores_row = None
            if next_stage is not None and next_stage["method"] != "diversity" and layer.self_attn is not None:
                scores_row = _last_row_attention(layer, hidden, position_embeddings, past_key_values, i)
            hidden = layer(
                hidden,
                attention_mask=mask,
                position_ids=positions,
                past_key_values=past_key_values,
                use_cache=use_cache,
                position_embeddings=position_embeddings,
                **kwargs,
            )
        hidden = self.norm(hidden)
        if output_hidden_states:
            all_hidden += (hidden,)
        if past_key_values is not None:
            past_key_values.lvlm_position = int(position_ids[0, -1]) + 1
        return BaseModelOutputWithPast(
            last_hidden_state=hidden,
            past_key_values=past_key_values if use_cache else None,
            hidden_states=all_hidden if output_hidden_states else None,
        )


def _last_row_attention(layer, hidden, position_embeddings, cache, index):
    """Head-mean attention of the last row over every key (cached first) in the layer about to run, float32."""
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb, repeat_kv

    attn = layer.self_attn
    normed = layer.input_layernorm(hidden)
    shape = (*normed.shape[:-1], -1, attn.head_dim)
    q = attn.q_proj(normed).view(shape).transpose(1, 2)
    k = attn.k_proj(normed).view(shape).transpose(1, 2)
    cos, sin = position_embeddings
    q, k = apply_rotary_pos_emb(q, k, cos, sin)
    if cache is not None and cache.get_seq_length(index) > 0:
        k = torch.cat([cache.layers[index].keys, k], dim=2)
    k = repeat_kv(k, attn.num_key_value_groups)
    scores = torch.matmul(q[:, :, -1:, :], k.transpose(2, 3)) * attn.scaling
    probs = torch.softmax(scores.float(), dim=-1)
    return probs.mean(dim=1)[0, 0]


class LvlmCompressedLlavaForConditionalGeneration(LlavaForConditionalGeneration):
    """LLaVA with per-matrix low-rank factors, dropped sub-layers and visual-token pruning, from config.json."""

    def __init__(self, config):
        super().__init__(config)
        text = config.text_config
        drop_attn = set(getattr(text, "drop_attn_list", None) or [])
        drop_mlp = set(getattr(text, "drop_mlp_list", None) or [])
        pruning = getattr(config, "visual_token_pruning", None) or {"version": 1, "stages": []}
        if pruning.get("version") != 1:
            raise ValueError(f"config.json visual_token_pruning: version {pruning.get('version')} is not supported")
        stages = list(pruning.get("stages", []))
        for name, rank in (getattr(config, "low_rank_ranks", None) or {}).items():
            path = _module_path(self, name)
            parent_path, _, child = path.rpartition(".")
            parent = self.get_submodule(parent_path)
            old = getattr(parent, child)
            setattr(parent, child, FactoredLinear(old.in_features, old.out_features, int(rank), old.bias is not None,
                                                  dtype=old.weight.dtype, device=old.weight.device))
        language_model = self.model.language_model
        for i, layer in enumerate(language_model.layers):
            if i in drop_attn or i in drop_mlp:
                if i in drop_attn:
                    layer.self_attn = None
                    layer.input_layernorm = None
                if i in drop_mlp:
                    layer.mlp = None
                    layer.post_attention_layernorm = None
                _with_mixin(layer, _SubLayerDrops)
        if drop_attn or drop_mlp or stages:
            language_model._lvlm_stages = stages
            _with_mixin(language_model, _CompressedTextModel)
            # The text model sees embeddings only: which rows are image tokens is read from the ids here.
            self.model.register_forward_pre_hook(self._mark_image_tokens, with_kwargs=True)

    def _mark_image_tokens(self, module, args, kwargs):
        # generate() encodes the images before the prefill (mm_encoder_outputs), so the image tokens in the
        # ids, not pixel_values, say that this pass holds an image; decode steps hold none.
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        language_model = self.model.language_model
        if input_ids is not None:
            language_model._lvlm_image_mask = input_ids == self.config.image_token_id
        else:
            language_model.__dict__.pop("_lvlm_image_mask", None)
        return None


# transformers renames checkpoint keys of the LLaVA layouts (language_model.lm_head -> lm_head, ...) for its own
# classes; a class from custom code gets those renamings only when registered under its name.
try:
    from transformers.conversion_mapping import get_checkpoint_conversion_mapping, register_checkpoint_conversion_mapping

    register_checkpoint_conversion_mapping(LvlmCompressedLlavaForConditionalGeneration.__name__,
                                           get_checkpoint_conversion_mapping("llava"), overwrite=True)
except ImportError:
    pass
