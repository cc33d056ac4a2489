"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in Rust."""

__all__: list[str]
