//! Historical and parametric VaR and CVaR, rolling and portfolio forms.
