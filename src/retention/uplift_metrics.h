// How well a ranking by predicted uplift finds the customers a treatment
// changes, on rows of a (randomised or propensity-weighted) experiment: the
// Qini curve and coefficient, the uplift curve and its area (AUUC), and a
// table by decile of predicted uplift that sets the predicted uplift beside
// the observed one (calibration). Pure functions.
//
// Conventions (docs/retention.md, "Metrics"): the outcome is the event the
// treatment should prevent (churn), and uplift is the reduction of its
// probability, so "success" below means the event did NOT happen. Rows are
// ranked by predicted uplift, highest first; equal scores form one group (a
// curve point only at group ends), so the order of tied rows never matters.
// For the top fraction phi of the N rows, with n_t / n_c treated / control
// rows and s_t / s_c successes among them (each row counted with its weight,
// 1 unless weights are given: inverse propensity weights make observational
// rows stand for a randomised experiment):
//   Qini(phi)   = (s_t - s_c * n_t / n_c) / N     (0 while n_c = 0)
//   Uplift(phi) = (s_t / n_t - s_c / n_c) * phi   (0 while n_t or n_c = 0)
// Each curve runs from (0, 0) to (1, curve(1)); the Qini coefficient is the
// area between the Qini curve and the straight line to its end point
// (trapezoids), the AUUC the area under the uplift curve.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace custlake::retention {

struct CurvePoint {
  double fraction = 0;  ///< share of rows targeted (phi)
  double value = 0;
};

struct UpliftDecile {
  int decile = 0;             ///< 1 = the highest predicted uplift
  int64_t treated = 0, control = 0;
  double predicted_uplift = 0;   ///< mean predicted uplift of the decile's rows
  double observed_uplift = 0;    ///< control event rate - treated event rate (0 when a group is empty)
  double observed_std_error = 0; ///< of observed_uplift (difference of two proportions)
};

struct UpliftMetrics {
  int64_t rows = 0, treated = 0, control = 0;
  double treated_event_rate = 0, control_event_rate = 0;
  double average_treatment_effect = 0;  ///< control - treated event rate (unadjusted)
  double qini_coefficient = 0;
  double auuc = 0;
  std::vector<CurvePoint> qini;    ///< at most ~100 points, for charts
  std::vector<CurvePoint> uplift;  ///< same fractions
  std::vector<UpliftDecile> deciles;
  double calibration_slope = 0;    ///< observed on predicted uplift over the deciles (weighted least squares)
};

/// The metrics of `predicted_uplift` on rows with `treated` (0/1) and `event` (0/1: churned);
/// all the same non-zero length; `weights` empty (each row 1) or one positive weight per row.
UpliftMetrics EvaluateUplift(const std::vector<float>& predicted_uplift, const std::vector<float>& treated,
                             const std::vector<float>& event, const std::vector<float>& weights = {});

nlohmann::json ToJson(const UpliftMetrics& m);

}  // namespace custlake::retention
