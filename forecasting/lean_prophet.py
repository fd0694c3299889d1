"""Prophet with its extra regressors handled as one block instead of one pandas column at a time.

Every fit and predict of a natural-growth model carries the calendar's 40-odd festival and
holiday columns as Prophet extra regressors. Stock Prophet loops over them in pandas: it converts,
checks and standardises each column separately, builds the feature frame from one single-column
frame per regressor, derives its component matrix through `pd.crosstab`, and computes a predicted
component per regressor. On a three-year series with 43 calendar columns that cost 34 ms per
predict and about as much per fit, more than the Stan optimisation itself.

`LeanProphet` does the same arithmetic on the block at once. The parameters it fits and the
forecast columns the runner reads (`yhat`, `trend`, `weekly`, `yearly`, the `extra_regressors_*`
and `*_terms` groups) are stock Prophet's (`tests/forecasting/test_lean_prophet.py` compares
them); what it leaves out is the per-regressor component columns (`c0`, `c1`, ...) of `predict`,
which nothing reads. Configurations it does not speed up (Prophet holidays, conditional
seasonalities, regressors predicted by their own models) go through stock Prophet unchanged.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd


@functools.cache
def lean_prophet() -> type:
    """The LeanProphet class (built on first use: importing Prophet costs a second)."""
    from prophet import Prophet

    class LeanProphet(Prophet):
        def _block(self) -> bool:
            """Whether the regressors can go as one block (else: stock Prophet)."""
            return bool(self.extra_regressors) and not (
                self.holidays is not None
                or self.country_holidays is not None
                or any(p["condition_name"] for p in self.seasonalities.values())
                or any(p.get("predictor_spec") for p in self.extra_regressors.values())
            )

        def setup_dataframe(self, df: pd.DataFrame, initialize_scales: bool = False):
            if not self._block():
                return super().setup_dataframe(df, initialize_scales)
            regressors = self.extra_regressors
            names = list(regressors)
            missing = [name for name in names if name not in df]
            if missing:
                raise ValueError(f"Regressor {missing[0]!r} missing from dataframe")
            values = df[names].to_numpy(dtype=float)
            if np.isnan(values).any():
                column = names[int(np.isnan(values).any(axis=0).argmax())]
                raise ValueError(f"Found NaN in column {column!r}")
            # Stock Prophet sorts the rows by ds (stably); the block follows the same order.
            order = np.argsort(pd.to_datetime(df["ds"]).to_numpy(), kind="stable")
            values = values[order]
            self.extra_regressors = {}  # the rest of the frame is prepared by Prophet itself
            try:
                frame = super().setup_dataframe(df.drop(columns=names), initialize_scales)
            finally:
                self.extra_regressors = regressors
            if initialize_scales:
                _initialise_regressor_scales(regressors, values)
            mu = np.array([regressors[name]["mu"] for name in names], dtype=float)
            std = np.array([regressors[name]["std"] for name in names], dtype=float)
            block = pd.DataFrame((values - mu) / std, columns=names, index=frame.index)
            return pd.concat([frame, block], axis=1)

        def make_all_seasonality_features(self, df: pd.DataFrame):
            if not self._block():
                return super().make_all_seasonality_features(df)
            features, prior_scales = [], []
            modes: dict[str, list[str]] = {"additive": [], "multiplicative": []}
            for name, props in self.seasonalities.items():
                block = self.make_seasonality_features(
                    df["ds"], props["period"], props["fourier_order"], name
                )
                features.append(block)
                prior_scales.extend([props["prior_scale"]] * block.shape[1])
                modes[props["mode"]].append(name)
            features.append(df[list(self.extra_regressors)])
            for name, props in self.extra_regressors.items():
                prior_scales.append(props["prior_scale"])
                modes[props["mode"]].append(name)
            seasonal_features = pd.concat(features, axis=1)
            component_cols, modes = self.regressor_column_matrix(seasonal_features, modes)
            return seasonal_features, prior_scales, component_cols, modes

        def regressor_column_matrix(self, seasonal_features: pd.DataFrame, modes):
            if not self._block():
                return super().regressor_column_matrix(seasonal_features, modes)
            component_cols, modes = _component_matrix(
                list(seasonal_features.columns), modes, self.extra_regressors, self.holidays_mode
            )
            if self.train_component_cols is not None:
                component_cols = component_cols[self.train_component_cols.columns]
                if not component_cols.equals(self.train_component_cols):
                    raise Exception("A bug occurred in constructing regressors.")
            return component_cols, modes

        def predict_seasonal_components(self, df: pd.DataFrame) -> pd.DataFrame:
            if not self._block() or self.uncertainty_samples:
                return super().predict_seasonal_components(df)
            seasonal_features, _, component_cols, _ = self.make_all_seasonality_features(df)
            # One column per regressor is what nobody reads; the groups hold their sum.
            wanted = [c for c in component_cols.columns if c not in self.extra_regressors]
            X = seasonal_features.to_numpy()
            data = {}
            for component in wanted:
                beta_c = self.params["beta"] * component_cols[component].to_numpy()
                comp = np.matmul(X, beta_c.transpose())
                if component in self.component_modes["additive"]:
                    comp *= self.y_scale
                data[component] = np.nanmean(comp, axis=1)
            return pd.DataFrame(data)

    return LeanProphet


def _initialise_regressor_scales(regressors: dict, values: np.ndarray) -> None:
    """Prophet's `initialize_scales` for the regressors: standardise a regressor unless told not
    to, or it is binary ('auto'), or constant."""
    for index, props in enumerate(regressors.values()):
        column = values[:, index]
        distinct = np.unique(column)
        standardize = props["standardize"]
        if len(distinct) < 2:
            standardize = False
        if standardize == "auto":
            standardize = set(distinct.tolist()) != {1, 0}
        if standardize:
            props["mu"] = float(pd.Series(column).mean())
            props["std"] = float(pd.Series(column).std())


def _component_matrix(
    columns: list[str], modes: dict[str, list[str]], regressors: dict, holidays_mode: str
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Prophet's `regressor_column_matrix` without holidays, built with NumPy: a 0/1 matrix of
    feature columns × components (columns sorted by name, as `pd.crosstab` sorts them), the
    additive and multiplicative groups included, and `modes` with the groups' names added."""
    members = {column: [column.split("_delim_")[0]] for column in columns}
    for mode in ("additive", "multiplicative"):
        in_mode = set(modes[mode])
        in_regressors = {name for name, props in regressors.items() if props["mode"] == mode}
        for column in columns:
            component = column.split("_delim_")[0]
            if component in in_mode:
                members[column].append(f"{mode}_terms")
            if component in in_regressors:
                members[column].append(f"extra_regressors_{mode}")
        modes[mode].extend([f"{mode}_terms", f"extra_regressors_{mode}"])
    modes[holidays_mode].append("holidays")
    names = sorted({name for listed in members.values() for name in listed})
    position = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(columns), len(names)), dtype=np.int64)
    for row, column in enumerate(columns):
        matrix[row, [position[name] for name in members[column]]] = 1
    component_cols = pd.DataFrame(
        matrix,
        index=pd.Index(np.arange(len(columns)), name="col"),
        columns=pd.Index(names, name="component"),
    )
    for name in ("additive_terms", "multiplicative_terms"):
        if name not in component_cols:
            component_cols[name] = 0
    component_cols = component_cols.drop(columns="zeros", errors="ignore")
    if (component_cols["additive_terms"] + component_cols["multiplicative_terms"]).max() > 1:
        raise Exception("A bug occurred in seasonal components.")
    return component_cols, modes
