"""The intermediate representation: frozen dataclasses, transitions as data.

``sfnchain.ir.steps`` holds the sugar-level step tree the DSL builds (prompts, caches,
maps, choices as blocks); ``sfnchain.ir.states`` holds the closed set of ASL state
kinds that the passes lower the tree into and that codegen turns into JSON.
"""
