"""Check the `preference-pairs` export against TRL's own reading of DPO (and reward) data.

Two halves, two environments (TRL is not a Labelwright dependency):

1. With the project's Python, write two exports made by the registered exporter: a standard one
   (a text prompt, string completions, pairwise values with and without a strength) and a
   conversational one (a chat prompt, rankings with ties):

       python benchmarks/check_trl_dpo.py --write /tmp/pairs

2. In a throwaway venv with TRL (`python -m venv /tmp/trl-venv && /tmp/trl-venv/bin/pip install
   torch==2.13.0 trl datasets`), read them the way TRL does and train two steps:

       /tmp/trl-venv/bin/python benchmarks/check_trl_dpo.py --check /tmp/pairs

   `--check` loads each file with `datasets.load_dataset("json", ...)`, runs TRL's
   `is_conversational`, `maybe_extract_prompt` and `maybe_apply_chat_template`, then builds a
   `DPOTrainer` (which tokenizes every row: prompt, chosen and rejected ids) on a tiny randomly
   initialized Llama and a word-level tokenizer built here from the data (nothing is
   downloaded), and runs two optimizer steps; then the same for `RewardTrainer`, which also
   reads the `margin` column. It prints what each step saw and exits 1 on the first failure.

Without arguments it does both, using `TRL_PYTHON` (default `/tmp/trl-venv/bin/python`) for
the second half.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# benchmarks/queue.py would shadow the standard library's `queue` for this script's imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

FILES = ("standard.jsonl", "conversational.jsonl")


def write_exports(folder: Path) -> None:
    """The two exports, from the registered `preference-pairs` exporter."""
    from labelwright.domain import describe_objects, parse_schema, validate_results
    from labelwright.formats import ExportAnnotation, ExportTask, get_exporter

    exporter = get_exporter("preference-pairs")
    folder.mkdir(parents=True, exist_ok=True)

    def task(task_id: int, schema: Any, data: dict[str, Any], results: dict[str, Any]) -> Any:
        clean = validate_results(schema, results, context=describe_objects(schema, data))
        return ExportTask(
            id=task_id, data=data, annotations=(ExportAnnotation(id=task_id, results=clean),)
        )

    standard = parse_schema(
        {
            "objects": {"prompt": {"type": "text"}, "answers": {"type": "responses"}},
            "controls": [{"name": "prefer", "type": "pairwise", "of": "answers"}],
        }
    )
    topics = ["the sea", "a cat", "rain", "the moon", "bread", "a river", "snow", "a tree"]
    tasks = []
    for i, topic in enumerate(topics):
        value: dict[str, Any] = {"choice": "a" if i % 2 else "b"}
        if i % 3:
            value["strength"] = 1 + i % 3
        data = {
            "prompt": f"Write one line about {topic}.",
            "answers": [
                {"id": "r1", "text": f"A calm line about {topic}."},
                {"id": "r2", "text": f"{topic} is nice I guess"},
            ],
        }
        tasks.append(task(i + 1, standard, data, {"prefer": value}))
    body = b"".join(exporter.export(tasks, schema=standard))
    (folder / FILES[0]).write_bytes(body)

    chat = parse_schema(
        {
            "objects": {"chat": {"type": "conversation"}, "answers": {"type": "responses"}},
            "controls": [{"name": "order", "type": "ranking", "of": "answers"}],
        }
    )
    tasks = []
    for i, topic in enumerate(topics[:4]):
        data = {
            "chat": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": f"Name a fact about {topic}."},
            ],
            "answers": [
                {"id": "a", "text": f"{topic} exists."},
                {"id": "b", "text": f"One fact: {topic} is old."},
                {"id": "c", "text": "No idea."},
            ],
        }
        tasks.append(
            task(i + 1, chat, data, {"order": ["b", ["a", "c"]] if i % 2 else list("bac")})
        )
    body = b"".join(exporter.export(tasks, schema=chat))
    (folder / FILES[1]).write_bytes(body)
    for name in FILES:
        lines = (folder / name).read_text().splitlines()
        print(f"wrote {folder / name}: {len(lines)} pairs; first: {lines[0][:160]}")


def check_exports(folder: Path) -> None:
    """Read the exports as TRL does; train two steps of DPO and of reward modelling."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets
    import torch
    import trl
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from trl.data_utils import is_conversational, maybe_apply_chat_template, maybe_extract_prompt

    print(f"trl {trl.__version__}, datasets {datasets.__version__}, torch {torch.__version__}")
    torch.manual_seed(0)
    for name in FILES:
        path = folder / name
        dataset = datasets.load_dataset("json", data_files=str(path), split="train")
        print(f"\n{name}: {dataset.num_rows} rows, columns {dataset.column_names}")
        first = dataset[0]
        conversational = is_conversational(first)
        print(f"  is_conversational: {conversational}")
        tokenizer = _tokenizer(dataset, Tokenizer, models, pre_tokenizers, PreTrainedTokenizerFast)
        extracted = maybe_extract_prompt(first)
        templated = maybe_apply_chat_template(extracted, tokenizer)
        print(f"  maybe_apply_chat_template -> prompt {templated['prompt']!r}")
        print(f"                               chosen {templated['chosen']!r}")
        _train_dpo(dataset, tokenizer, LlamaConfig, LlamaForCausalLM)
        _train_reward(dataset, tokenizer, LlamaConfig)
    print("\nOK: TRL read every export and trained on it")


def _tokenizer(dataset: Any, Tokenizer: Any, models: Any, pre_tokenizers: Any, Fast: Any) -> Any:
    """A word-level tokenizer over the dataset's words, with a small chat template."""
    specials = ["<pad>", "<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    words: set[str] = set()
    pre = pre_tokenizers.Whitespace()

    def add(value: Any) -> None:
        if isinstance(value, str):
            words.update(w for w, _ in pre.pre_tokenize_str(value))
        elif isinstance(value, list):
            for message in value:
                add(message["content"])

    for row in dataset:
        for key in ("prompt", "chosen", "rejected"):
            add(row[key])
    vocab = {token: i for i, token in enumerate([*specials, *sorted(words)])}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre
    fast = Fast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        additional_special_tokens=specials[4:],
    )
    fast.chat_template = (
        "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} </s> {% endfor %}"
        "{% if add_generation_prompt %}<|assistant|> {% endif %}"
    )
    return fast


def _model(tokenizer: Any, LlamaConfig: Any, cls: Any, **extra: Any) -> Any:
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
        **extra,
    )
    return cls(config)


def _args(cls: Any, out: str) -> Any:
    return cls(
        output_dir=out,
        max_steps=2,
        per_device_train_batch_size=4,
        learning_rate=1e-3,
        logging_steps=1,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        dataset_num_proc=None,
    )


def _train_dpo(dataset: Any, tokenizer: Any, LlamaConfig: Any, LlamaForCausalLM: Any) -> None:
    import copy

    from trl import DPOConfig, DPOTrainer

    with tempfile.TemporaryDirectory() as out:
        model = _model(tokenizer, LlamaConfig, LlamaForCausalLM)
        trainer = DPOTrainer(
            model=model,
            ref_model=copy.deepcopy(model),
            args=_args(DPOConfig, out),
            train_dataset=dataset,
            processing_class=tokenizer,
        )
        row = trainer.train_dataset[0]
        print(
            "  DPOTrainer tokenized: "
            f"prompt {len(row['prompt_ids'])} ids, chosen {tokenizer.decode(row['chosen_ids'])!r}, "
            f"rejected {tokenizer.decode(row['rejected_ids'])!r}"
        )
        result = trainer.train()
        print(f"  DPO: {result.global_step} steps, loss {result.training_loss:.4f}")


def _train_reward(dataset: Any, tokenizer: Any, LlamaConfig: Any) -> None:
    from transformers import LlamaForSequenceClassification
    from trl import RewardConfig, RewardTrainer

    with tempfile.TemporaryDirectory() as out:
        model = _model(tokenizer, LlamaConfig, LlamaForSequenceClassification, num_labels=1)
        trainer = RewardTrainer(
            model=model,
            args=_args(RewardConfig, out),
            train_dataset=dataset,
            processing_class=tokenizer,
        )
        result = trainer.train()
        margins = [m for m in dataset["margin"]]
        print(
            f"  RewardTrainer: {result.global_step} steps, loss {result.training_loss:.4f} "
            f"(margins in the data: {margins})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="write the exports to this folder")
    parser.add_argument("--check", type=Path, help="read the exports in this folder with TRL")
    args = parser.parse_args()
    if args.write:
        write_exports(args.write)
    if args.check:
        check_exports(args.check)
    if args.write or args.check:
        return 0
    folder = Path(tempfile.mkdtemp(prefix="lw-trl-"))
    write_exports(folder)
    python = os.environ.get("TRL_PYTHON", "/tmp/trl-venv/bin/python")
    return subprocess.call([python, __file__, "--check", str(folder)])


if __name__ == "__main__":
    sys.exit(main())
