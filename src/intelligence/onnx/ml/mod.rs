//! `ai.onnx.ml` operators that scikit-learn models exported by skl2onnx use and tract 0.23 lacks,
//! written from the ONNX-ML operator specification and registered into tract's ONNX parser:
//! `Scaler` (StandardScaler and friends) and `TreeEnsembleRegressor` (decision trees, forests and
//! gradient boosting for regression).

mod forest;
mod scaler;
mod tree_regressor;

use tract_onnx::model::OnnxOpRegister;

pub fn register(reg: &mut OnnxOpRegister) {
    reg.insert("Scaler", scaler::build);
    reg.insert("TreeEnsembleRegressor", tree_regressor::build);
}
