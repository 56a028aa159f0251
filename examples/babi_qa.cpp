// babi_qa: train and evaluate MemN2N on the bAbI tasks, one model per task,
// and print the table of test errors.
//
//   babi_qa [--data DIR] [--tasks 1,2,...|all] [--schemes float,fixed8-dot,...|all]
//           [--epochs N] [--ls-epochs N] [--hops K] [--dim D] [--seed S] [--runs R]
//           [--beta B] [--float-epochs N] [--ste clipped|identity] [--patience N] [--learning-rate R] [--joint]
//           [--threads T] [--energy] [--stats] [--json FILE] [--save FILE] [--load FILE]
//
// --data DIR  a bAbI v1.2 folder such as tasks_1-20_v1-2/en; without it, a
//             small built-in data set in bAbI format (tasks 1, 2, 6 made in
//             code from the seed) so that this runs anywhere.
// --runs R    train R models per task (seeds S, S+1, ...) and keep the one
//             with the best validation error (reported as such).
// --schemes   float (MemN2N); fixed8-dot and binary-dot (conventionally
//             quantized); fixed8-hamming and binary-hamming (Q-MANN); the
//             quantized ones trained quantization-aware, then exported to
//             their integer-only model (qmann::quantized_memn2n), whose test
//             error is the one reported; the table puts them side by side.
//             --beta: base-2 softmax sharpness of the Hamming schemes.
//             --float-epochs N: the first N main-phase epochs in float.
// --learning-rate R  instead of the paper's 0.005 (linear start and main
//             phase alike; halved every 25 main-phase epochs).
// --ste clipped|identity  the straight-through gradient of quantization-aware
//             training: stopped at saturated values (clipped, the default:
//             the gradient of the clamp) or passed everywhere (identity).
// --patience N  early stopping: stop after N epochs without a better
//             validation error (0: never; default 30), every scheme alike.
// --energy    count every operation of inference on the test questions
//             (energy/operations.hpp) and price it with the Horowitz 45 nm
//             table (energy/energy_table.hpp): energy per question by
//             component and the gain over float; JSON "ops" and
//             "energy_pj_per_question".
// --stats     count the fixed-point saturation of the integer schemes per
//             layer on the test questions (memories, controller states,
//             keys, scores): printed per task, JSON "saturation".
// --joint     one model for all the tasks together (their training data
//             pooled), evaluated per task.
// --save FILE the trained models (one per task, or the joint one) in one
//             versioned, checksummed file; --load FILE evaluates such a file
//             on the test data instead of training.
// Tasks train in parallel on T threads; each task's result depends only on
// the seed, not on T. Exit code 2, with one line naming the problem, for
// bad arguments or data; nothing is left at the --json path then.
#include <qmann/data/babi.hpp>
#include <qmann/data/encode.hpp>
#include <qmann/data/synthetic.hpp>
#include <qmann/data/vocabulary.hpp>
#include <qmann/energy/energy_table.hpp>
#include <qmann/energy/operations.hpp>
#include <qmann/io/model_file.hpp>
#include <qmann/model/memn2n.hpp>
#include <qmann/model/quantized_memn2n.hpp>
#include <qmann/model/scheme.hpp>
#include <qmann/train/trainer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct options {
  std::string data;
  std::vector<int> tasks;
  std::vector<std::string> schemes = {"float"};
  std::size_t epochs = 100;
  std::size_t ls_epochs = 20;
  std::size_t hops = 3;
  std::size_t dim = 20;
  std::uint64_t seed = 1;
  std::size_t runs = 1;
  std::size_t threads = 0;
  float beta = 1.0f;
  std::size_t float_epochs = 0;
  std::size_t patience = 30;
  float learning_rate = 0.0f;  // 0: the paper's schedule (0.005 from the linear start on)
  bool joint = false;
  bool energy = false;
  bool stats = false;
  bool clipped_ste = true;  // --ste clipped (default) or identity
  std::string json;
  std::string save;
  std::string load;
};

constexpr const char* usage =
    "usage: babi_qa [--data DIR] [--tasks 1,2,...|all] [--schemes float,fixed8-dot,...|all]\n"
    "               [--epochs N] [--ls-epochs N] [--hops K] [--dim D] [--seed S] [--runs R]\n"
    "               [--beta B] [--float-epochs N] [--ste clipped|identity] [--patience N]\n"
    "               [--learning-rate R] [--joint]\n"
    "               [--threads T] [--energy] [--stats] [--json FILE] [--save FILE] [--load FILE]";

std::uint64_t parse_number(const std::string& flag, const std::string& text, std::uint64_t lo,
                           std::uint64_t hi) {
  std::uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  if (ok) value = std::stoull(text);
  if (!ok || value < lo || value > hi)
    throw usage_error(flag + ": expected a whole number in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got '" + text + "'");
  return value;
}

options parse(int argc, char** argv) {
  options o;
  std::string tasks = "";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::puts(usage);
      std::exit(0);
    }
    if (flag.rfind("--", 0) != 0) throw usage_error("unexpected argument '" + flag + "'");
    if (flag == "--joint") {
      o.joint = true;
      continue;
    }
    if (flag == "--energy") {
      o.energy = true;
      continue;
    }
    if (flag == "--stats") {
      o.stats = true;
      continue;
    }
    if (i + 1 >= argc) throw usage_error(flag + ": missing value");
    const std::string value = argv[++i];
    if (flag == "--data") o.data = value;
    else if (flag == "--tasks") tasks = value;
    else if (flag == "--schemes") {
      o.schemes.clear();
      std::stringstream list(value);
      for (std::string s; std::getline(list, s, ',');) {
        const std::vector<std::string> known = {"float", "fixed8-dot", "fixed8-hamming", "binary-dot",
                                                "binary-hamming"};
        if (s == "all") {
          o.schemes = known;
          continue;
        }
        if (std::find(known.begin(), known.end(), s) == known.end())
          throw usage_error("--schemes: unknown scheme '" + s +
                            "' (known: float, fixed8-dot, fixed8-hamming, binary-dot, binary-hamming, all)");
        if (std::find(o.schemes.begin(), o.schemes.end(), s) == o.schemes.end()) o.schemes.push_back(s);
      }
      if (o.schemes.empty()) throw usage_error("--schemes: empty list");
    } else if (flag == "--epochs") o.epochs = parse_number(flag, value, 1, 10000);
    else if (flag == "--ls-epochs") o.ls_epochs = parse_number(flag, value, 0, 10000);
    else if (flag == "--hops") o.hops = parse_number(flag, value, 1, qmann::memn2n_max_hops);
    else if (flag == "--dim") o.dim = parse_number(flag, value, 1, qmann::memn2n_max_dim);
    else if (flag == "--seed") o.seed = parse_number(flag, value, 0, 1ULL << 62);
    else if (flag == "--runs") o.runs = parse_number(flag, value, 1, 100);
    else if (flag == "--float-epochs") o.float_epochs = parse_number(flag, value, 0, 10000);
    else if (flag == "--patience") o.patience = parse_number(flag, value, 0, 10000);
    else if (flag == "--ste") {
      if (value != "clipped" && value != "identity")
        throw usage_error("--ste: expected clipped or identity, got '" + value + "'");
      o.clipped_ste = value == "clipped";
    }
    else if (flag == "--learning-rate") {
      char* end = nullptr;
      o.learning_rate = std::strtof(value.c_str(), &end);
      if (end != value.c_str() + value.size() || !(o.learning_rate > 0.0f) || !std::isfinite(o.learning_rate))
        throw usage_error("--learning-rate: expected a positive number, got '" + value + "'");
    }
    else if (flag == "--beta") {
      char* end = nullptr;
      o.beta = std::strtof(value.c_str(), &end);
      if (end != value.c_str() + value.size() || !(o.beta > 0.0f) || o.beta > 64.0f)
        throw usage_error("--beta: expected a number in (0, 64], got '" + value + "'");
    }
    else if (flag == "--threads") o.threads = parse_number(flag, value, 1, 1024);
    else if (flag == "--json") o.json = value;
    else if (flag == "--save") o.save = value;
    else if (flag == "--load") o.load = value;
    else throw usage_error("unknown option '" + flag + "'");
  }
  const bool builtin = o.data.empty();
  if (tasks.empty() || tasks == "all") {
    if (builtin) o.tasks.assign(std::begin(qmann::data::synthetic_tasks), std::end(qmann::data::synthetic_tasks));
    else for (int t = 1; t <= 20; ++t) o.tasks.push_back(t);
  } else {
    std::stringstream list(tasks);
    for (std::string t; std::getline(list, t, ',');) {
      const auto task = static_cast<int>(parse_number("--tasks", t, 1, 20));
      if (builtin && std::find(std::begin(qmann::data::synthetic_tasks),
                               std::end(qmann::data::synthetic_tasks), task) == std::end(qmann::data::synthetic_tasks))
        throw usage_error("--tasks: the built-in data has tasks 1, 2 and 6 only (use --data DIR), got " + t);
      if (std::find(o.tasks.begin(), o.tasks.end(), task) == o.tasks.end()) o.tasks.push_back(task);
    }
  }
  if (o.float_epochs >= o.epochs)
    throw usage_error("--float-epochs: must be below --epochs (" + std::to_string(o.epochs) + "), got " +
                      std::to_string(o.float_epochs));
  if (o.threads == 0) o.threads = std::max(1U, std::thread::hardware_concurrency());
  if (!o.load.empty() && !o.save.empty()) throw usage_error("--load and --save: one or the other");
  if ((!o.load.empty() || !o.save.empty()) && o.schemes.size() != 1)
    throw usage_error("--save and --load: one scheme per model file (--schemes NAME)");
  return o;
}

// Calls f(std::type_identity<Scheme>{}) with the compile-time scheme of an
// integer scheme's name, or f(std::type_identity<void>{}) for "float".
template <class F>
decltype(auto) with_scheme(const std::string& name, F&& f) {
  if (name == "fixed8-dot") return f(std::type_identity<qmann::fixed8_dot>{});
  if (name == "fixed8-hamming") return f(std::type_identity<qmann::fixed8_hamming>{});
  if (name == "binary-dot") return f(std::type_identity<qmann::binary_dot>{});
  if (name == "binary-hamming") return f(std::type_identity<qmann::binary_hamming>{});
  return f(std::type_identity<void>{});
}

struct task_data {
  int task;
  std::vector<qmann::data::question> train, validation, test;
};

// The task's questions: the files of --data, or the built-in set. 10% of the
// training questions, drawn with the seed, are held out for validation.
task_data load(const options& o, int task) {
  task_data t{task, {}, {}, {}};
  std::vector<qmann::data::question> train;
  if (o.data.empty()) {
    std::istringstream train_text(qmann::data::synthetic_babi(task, 1000, o.seed * 2 + 1));
    std::istringstream test_text(qmann::data::synthetic_babi(task, 1000, o.seed * 2 + 2));
    train = qmann::data::parse_babi(train_text, "built-in task " + std::to_string(task) + " (train)");
    t.test = qmann::data::parse_babi(test_text, "built-in task " + std::to_string(task) + " (test)");
  } else {
    const auto files = qmann::data::find_task(o.data, task);
    train = qmann::data::read_babi_file(files.train);
    t.test = qmann::data::read_babi_file(files.test);
  }
  std::mt19937_64 gen(o.seed ^ (0x5F11ULL * static_cast<std::uint64_t>(task)));
  qmann::detail::shuffle(train, gen);
  const std::size_t held_out = std::max<std::size_t>(1, train.size() / 10);
  t.validation.assign(train.end() - static_cast<std::ptrdiff_t>(held_out), train.end());
  train.resize(train.size() - held_out);
  t.train = std::move(train);
  return t;
}

struct task_result {
  std::string scheme;
  int task = 0;
  float test_error = 1.0f;
  float validation_error = 1.0f;
  double train_seconds = 0.0;
  std::size_t epochs_run = 0;
  std::size_t best_run = 0;
  std::size_t test_questions = 0;
  float qat_test_error = 1.0f;    // the training forward pass's (quantized schemes)
  float export_agreement = 1.0f;  // same answers, integer export vs training forward
  qmann::energy::op_counter ops;  // --energy: every operation on the test questions
  std::optional<qmann::saturation_stats> saturation;  // --stats, integer schemes
  qmann::memn2n_shape shape;                          // of the evaluated model
  std::optional<qmann::io::stored_model> model;  // the kept one, for --save
  std::string formats;                           // fractional bits chosen, quantized schemes
};

std::mutex print_mutex;

// Trains on `train`, chooses by `validation` (best of --runs seeds) and
// returns the kept model with its vocabulary; `label` names it in progress.
struct trained_model {
  qmann::io::stored_model stored;
  float validation_error;
  std::size_t epochs_run, run;
};

trained_model train_model(const options& o, const std::string& scheme, int task, const std::string& label,
                          const std::vector<qmann::data::question>& train_q,
                          const std::vector<qmann::data::question>& validation_q,
                          std::size_t sentence_size) {
  qmann::data::vocabulary vocab;
  qmann::data::add_words(vocab, train_q);
  qmann::data::add_words(vocab, validation_q);
  qmann::memn2n_config config;
  config.dim = o.dim;
  config.hops = o.hops;
  // As the authors' code: memory slots (and time embeddings) up to the
  // longest training story, at most 50.
  std::size_t longest_story = 1;
  for (const auto& q : train_q) longest_story = std::max(longest_story, q.story.size());
  config.memory_size = std::min<std::size_t>(50, longest_story);
  const auto train = qmann::data::encode(train_q, vocab, config.memory_size, sentence_size);
  const auto validation = qmann::data::encode(validation_q, vocab, config.memory_size, sentence_size);

  std::optional<trained_model> best;
  for (std::size_t run = 0; run < o.runs; ++run) {
    const std::uint64_t seed = o.seed + run;
    qmann::memn2n model(config, vocab.size(), sentence_size, seed * 1000003ULL + static_cast<std::uint64_t>(task));
    const bool qmann_scheme = scheme.ends_with("-hamming");
    with_scheme(scheme, [&]<class S>(std::type_identity<S>) {
      if constexpr (!std::is_void_v<S>) {
        auto q = S::quantization(o.beta);
        q.clip_saturated_gradients = o.clipped_ste;
        model.set_quantization(q);
      }
    });
    qmann::train_config tc;
    tc.float_epochs = model.quantization().enabled ? o.float_epochs : 0;
    tc.patience = o.patience;
    if (o.learning_rate > 0.0f) tc.learning_rate = tc.linear_start_rate = o.learning_rate;
    tc.per_hop_formats = qmann_scheme;  // MQ is Q-MANN's; the conventional schemes have one format
    tc.epochs = o.epochs;
    tc.linear_start_epochs = o.ls_epochs;
    tc.seed = seed * 7919ULL + static_cast<std::uint64_t>(task);
    const auto result = qmann::train(model, train, validation, tc, [&](const qmann::epoch_report& r) {
      if (r.epoch % 20 != 0 && r.epoch != r.epochs) return;
      std::lock_guard lock(print_mutex);
      std::printf("  %s %s run %zu epoch %4zu/%zu%s  loss %.4f  train error %5.1f%%  validation error %5.1f%%\n",
                  scheme.c_str(), label.c_str(), run + 1, r.epoch, r.epochs, r.linear_start ? " (LS)" : "     ",
                  static_cast<double>(r.train_loss), 100.0 * r.train_error, 100.0 * r.validation_error);
      std::fflush(stdout);
    });
    if (!best || result.validation_error < best->validation_error)
      best.emplace(trained_model{{task, std::move(model), vocab}, result.validation_error, result.epochs_run, run + 1});
  }
  return std::move(*best);
}

task_result evaluate(const options& o, const task_data& t, const qmann::io::stored_model& m,
                     const std::string& scheme) {
  const auto test = qmann::data::encode(t.test, m.vocabulary, m.model.config().memory_size, m.model.sentence_size());
  task_result r;
  r.scheme = scheme;
  r.task = t.task;
  r.test_questions = test.size();
  r.shape = m.model.shape();
  r.test_error = r.qat_test_error = qmann::error_rate(m.model, test);
  if (o.energy && !m.model.quantization().enabled) {
    qmann::memn2n::workspace ws;
    for (std::size_t e = 0; e < test.size(); ++e)
      m.model.predict({test.story(e), static_cast<std::size_t>(test.sentences[e]), test.query(e)}, ws, r.ops);
  }
  with_scheme(scheme, [&]<class S>(std::type_identity<S>) {
    if constexpr (!std::is_void_v<S>) {
      // The integer-only model answers; the training forward pass must agree.
      const qmann::quantized_memn2n<S> exported(m.model);
      typename qmann::quantized_memn2n<S>::workspace iw;
      if (o.stats) iw.stats = &r.saturation.emplace();
      qmann::memn2n::workspace ws;
      std::size_t wrong = 0, same = 0;
      for (std::size_t e = 0; e < test.size(); ++e) {
        const qmann::memn2n_input in{test.story(e), static_cast<std::size_t>(test.sentences[e]), test.query(e)};
        const auto answer = o.energy ? exported.predict(in, iw, r.ops) : exported.predict(in, iw);
        wrong += answer != test.answers[e];
        same += answer == m.model.predict(in, ws);
      }
      r.test_error = static_cast<float>(wrong) / static_cast<float>(std::max<std::size_t>(test.size(), 1));
      r.export_agreement = static_cast<float>(same) / static_cast<float>(std::max<std::size_t>(test.size(), 1));
    }
  });
  return r;
}

// Per layer, the percentage of values that saturated (layers with values only).
std::string describe(const qmann::saturation_stats& st, const qmann::memn2n_shape& shape) {
  std::string out;
  auto add = [&](const char* label, const auto& tallies, std::size_t count, std::size_t first) {
    std::string part;
    for (std::size_t i = 0; i < count; ++i) {
      if (tallies[i].values == 0) continue;
      char cell[64];
      std::snprintf(cell, sizeof cell, " %zu:%.2f", i + first, 100.0 * tallies[i].fraction());
      part += cell;
    }
    if (!part.empty()) out += (out.empty() ? "" : ", ") + std::string(label) + part;
  };
  add("memory", st.memory, shape.distinct_memories(), 0);
  add("controller", st.controller, shape.config.hops + 1, 0);
  add("key", st.key, shape.config.hops, 1);
  add("score", st.score, shape.config.hops, 1);
  return out;
}

// The same as JSON arrays of fractions, one per layer (null: no values).
std::string saturation_json(const qmann::saturation_stats& st, const qmann::memn2n_shape& shape) {
  auto array = [](const auto& tallies, std::size_t count) {
    std::string a = "[";
    for (std::size_t i = 0; i < count; ++i) {
      char cell[32];
      if (tallies[i].values == 0) std::snprintf(cell, sizeof cell, "%snull", i ? "," : "");
      else std::snprintf(cell, sizeof cell, "%s%.6f", i ? "," : "", tallies[i].fraction());
      a += cell;
    }
    return a + "]";
  };
  return "{\"memory\":" + array(st.memory, shape.distinct_memories()) +
         ",\"controller\":" + array(st.controller, shape.config.hops + 1) +
         ",\"key\":" + array(st.key, shape.config.hops) + ",\"score\":" + array(st.score, shape.config.hops) + "}";
}

task_result run_task(const options& o, const std::string& scheme, const task_data& t) {
  const std::size_t sentence_size = qmann::data::longest_sentence({&t.train, &t.validation, &t.test});
  const auto start = std::chrono::steady_clock::now();
  auto trained = [&] {
    try {
      return train_model(o, scheme, t.task, "task " + std::to_string(t.task), t.train, t.validation, sentence_size);
    } catch (const std::exception& e) {  // name the scheme and task (a NaN loss, ...)
      throw std::runtime_error(scheme + " task " + std::to_string(t.task) + ": " + e.what());
    }
  }();
  task_result best = evaluate(o, t, trained.stored, scheme);
  best.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  best.validation_error = trained.validation_error;
  best.epochs_run = trained.epochs_run;
  best.best_run = trained.run;
  best.model.emplace(std::move(trained.stored));
  std::lock_guard lock(print_mutex);
  std::string formats;
  const auto& q = best.model->model.quantization();
  if (q.enabled) {
    formats = "memory";
    for (std::size_t e = 0; e < best.model->model.distinct_memories(); ++e) formats += " " + std::to_string(q.memory_frac[e]);
    formats += ", controller";
    for (std::size_t k = 0; k <= best.model->model.config().hops; ++k) formats += " " + std::to_string(q.controller_frac[k]);
    formats += ", tables";
    for (std::size_t p = 0; p < best.model->model.parameters().size(); ++p) formats += " " + std::to_string(q.table_frac[p]);
  }
  best.formats = formats;
  std::printf("%s task %2d done: test error %5.1f%% (validation %5.1f%%, run %zu of %zu, %zu epochs), %.1f s%s%s\n",
              scheme.c_str(), t.task, 100.0 * best.test_error, 100.0 * best.validation_error, best.best_run, o.runs,
              best.epochs_run, best.train_seconds, formats.empty() ? "" : ", fractional bits: ", formats.c_str());
  if (q.enabled)
    std::printf("%s task %2d integer export: same answer as the training forward pass on %.2f%% of %zu questions\n",
                scheme.c_str(), t.task, 100.0 * best.export_agreement, best.test_questions);
  if (best.saturation)
    std::printf("%s task %2d saturation (%% of values narrowed): %s\n", scheme.c_str(), t.task,
                describe(*best.saturation, best.model->model.shape()).c_str());
  std::fflush(stdout);
  return best;
}

// --joint: one model on the pooled training data of every task.
std::vector<task_result> run_joint(const options& o, const std::vector<task_data>& data) {
  std::vector<qmann::data::question> train, validation;
  std::vector<const std::vector<qmann::data::question>*> all;
  for (const auto& t : data) {
    train.insert(train.end(), t.train.begin(), t.train.end());
    validation.insert(validation.end(), t.validation.begin(), t.validation.end());
    all.insert(all.end(), {&t.train, &t.validation, &t.test});
  }
  const auto start = std::chrono::steady_clock::now();
  auto trained = train_model(o, o.schemes.front(), 0, "joint", train, validation, qmann::data::longest_sentence(all));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<task_result> results;
  for (const auto& t : data) {
    results.push_back(evaluate(o, t, trained.stored, o.schemes.front()));
    results.back().train_seconds = seconds / static_cast<double>(data.size());
    results.back().validation_error = trained.validation_error;
    results.back().epochs_run = trained.epochs_run;
  }
  results.front().model.emplace(std::move(trained.stored));
  return results;
}

// --load: each task's model from the file (or the file's joint model).
std::vector<task_result> run_loaded(const options& o, const std::vector<task_data>& data) {
  auto models = qmann::io::load_models(o.load, o.schemes.front());
  std::vector<task_result> results;
  for (const auto& t : data) {
    const qmann::io::stored_model* found = nullptr;
    for (const auto& m : models)
      if (m.task == t.task || m.task == 0) found = &m;
    if (!found)
      throw usage_error("--load: '" + o.load + "' has no model for task " + std::to_string(t.task));
    results.push_back(evaluate(o, t, *found, o.schemes.front()));
  }
  return results;
}

// One model per task, tasks spread over --threads threads.
std::vector<task_result> run_tasks(const options& o, const std::vector<task_data>& data) {
  const std::size_t jobs = data.size() * o.schemes.size();  // scheme-major
  std::vector<task_result> results(jobs);
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < std::min(o.threads, jobs); ++w)
    workers.emplace_back([&] {
      for (std::size_t i; (i = next++) < jobs;) {
        try {
          results[i] = run_task(o, o.schemes[i / data.size()], data[i % data.size()]);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      }
    });
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

// Writes to a temporary file beside `path` and renames it on success, so a
// failure never leaves a partial file.
void write_json(const std::string& path, const std::vector<task_result>& results) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    if (!out) throw usage_error("--json: cannot write '" + path + "'");
    out << "{\"results\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      char line[1024];
      std::snprintf(line, sizeof line,
                    "%s{\"scheme\":\"%s\",\"task\":%d,\"test_error\":%.6f,\"validation_error\":%.6f,"
                    "\"train_seconds\":%.3f,\"epochs_run\":%zu,\"formats\":\"%s\","
                    "\"qat_test_error\":%.6f,\"export_agreement\":%.6f}",
                    i ? "," : "", r.scheme.c_str(), r.task, static_cast<double>(r.test_error),
                    static_cast<double>(r.validation_error), r.train_seconds, r.epochs_run,
                    r.formats.c_str(), static_cast<double>(r.qat_test_error),
                    static_cast<double>(r.export_agreement));
      out << line;
      if (r.saturation) {
        out.seekp(-1, std::ios::cur);  // reopen the object
        out << ",\"saturation\":" << saturation_json(*r.saturation, r.shape) << "}";
      }
      if (!r.ops.total()) continue;
      // --energy: per question, by kind, arithmetic and width, and by component.
      const auto table = qmann::energy::energy_table::horowitz_45nm();
      const double questions = static_cast<double>(std::max<std::size_t>(r.test_questions, 1));
      out.seekp(-1, std::ios::cur);  // reopen the object
      out << ",\"ops\":{";
      bool first = true;
      for (std::size_t k = 0; k < qmann::energy::op_kinds; ++k)
        for (auto a : {qmann::energy::arithmetic::integer, qmann::energy::arithmetic::floating})
          for (int bits : qmann::energy::widths) {
            const auto n = r.ops.count(static_cast<qmann::energy::op>(k), a, bits);
            if (n == 0) continue;
            std::snprintf(line, sizeof line, "%s\"%s%d_%s\":%.2f", first ? "" : ",",
                          a == qmann::energy::arithmetic::integer ? "int" : "float", bits,
                          std::string(qmann::energy::name(static_cast<qmann::energy::op>(k))).c_str(),
                          static_cast<double>(n) / questions);
            out << line;
            first = false;
          }
      std::snprintf(line, sizeof line, "},\"energy_pj_per_question\":%.3f,\"energy_pj_by_component\":{",
                    table.energy_pj(r.ops) / questions);
      out << line;
      for (std::size_t c = 0; c < qmann::energy::components; ++c) {
        const auto component = static_cast<qmann::energy::component>(c);
        std::snprintf(line, sizeof line, "%s\"%s\":%.3f", c ? "," : "",
                      std::string(qmann::energy::name(component)).c_str(),
                      table.energy_pj(r.ops, component) / questions);
        out << line;
      }
      out << "}}";
    }
    out << "]}\n";
    if (!out.flush()) throw usage_error("--json: cannot write '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw usage_error("--json: cannot write '" + path + "'");
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const options o = parse(argc, argv);
    for (const auto& [flag, path] : {std::pair{"--json", o.json}, std::pair{"--save", o.save}}) {
      if (path.empty()) continue;  // fail before hours of training, not after
      const auto parent = std::filesystem::absolute(path).parent_path();
      if (!std::filesystem::is_directory(parent))
        throw usage_error(std::string(flag) + ": folder '" + parent.string() + "' does not exist");
    }
    std::printf("babi_qa: %s, tasks", o.data.empty() ? "built-in data" : o.data.c_str());
    for (int t : o.tasks) std::printf(" %d", t);
    std::printf("; MemN2N d=%zu, %zu hops, PE LS RN, %zu + %zu epochs, seed %llu, %zu run(s), %zu thread(s)\n",
                o.dim, o.hops, o.ls_epochs, o.epochs, static_cast<unsigned long long>(o.seed), o.runs,
                o.threads);

    std::vector<task_data> data;
    for (int t : o.tasks) data.push_back(load(o, t));

    const auto start = std::chrono::steady_clock::now();
    std::vector<task_result> results;
    if (!o.load.empty())
      results = run_loaded(o, data);
    else if (o.joint)
      results = run_joint(o, data);
    else
      results = run_tasks(o, data);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // The table: a row per task, two columns (test error %, train seconds) per scheme.
    const std::size_t tasks = data.size(), schemes = results.size() / tasks;
    std::printf("\n%6s", "task");
    for (std::size_t c = 0; c < schemes; ++c)
      std::printf(" | %22s | %5s", (results[c * tasks].scheme + " error %").c_str(), "s");
    std::printf("\n");
    std::vector<double> error_sum(schemes, 0.0);
    double seconds_sum = 0;
    std::size_t questions = 0;
    for (std::size_t t = 0; t < tasks; ++t) {
      std::printf("%6d", results[t].task);
      for (std::size_t c = 0; c < schemes; ++c) {
        const auto& r = results[c * tasks + t];
        std::printf(" | %22.1f | %5.1f", 100.0 * r.test_error, r.train_seconds);
        error_sum[c] += r.test_error;
        seconds_sum += r.train_seconds;
      }
      std::printf("\n");
    }
    std::printf("%6s", "mean");
    auto mean_of = [&](const std::string& scheme) {
      for (std::size_t c = 0; c < schemes; ++c)
        if (results[c * tasks].scheme == scheme) return 100.0 * error_sum[c] / static_cast<double>(tasks);
      return -1.0;
    };
    for (std::size_t c = 0; c < schemes; ++c)
      std::printf(" | %22.1f | %5s", 100.0 * error_sum[c] / static_cast<double>(tasks), "");
    std::printf("\n");
    for (const auto& [twin, paper] : {std::pair{"fixed8", 46}, std::pair{"binary", 30}}) {
      const double conventional = mean_of(std::string(twin) + "-dot"), q = mean_of(std::string(twin) + "-hamming");
      if (conventional > 0 && q >= 0)
        std::printf("\n%s-hamming vs %s-dot: mean error %.1f%% vs %.1f%%, %.0f%% lower (the paper: %d%% lower)", twin,
                    twin, q, conventional, 100.0 * (1.0 - q / conventional), paper);
    }
    std::printf("\n");
    if (o.energy) {
      // Energy per question (mean over tasks), by component, and the gain over float.
      const auto table = qmann::energy::energy_table::horowitz_45nm();
      std::printf("\ncomputation energy per question (Horowitz 45 nm, pJ; mean over tasks):\n%16s", "scheme");
      for (std::size_t c = 0; c < qmann::energy::components; ++c)
        std::printf(" | %10s", std::string(qmann::energy::name(static_cast<qmann::energy::component>(c))).c_str());
      std::printf(" | %10s | %13s\n", "total", "gain vs float");
      std::vector<double> totals(schemes, 0.0);
      for (std::size_t c = 0; c < schemes; ++c)
        for (std::size_t t = 0; t < tasks; ++t) {
          const auto& r = results[c * tasks + t];
          totals[c] += table.energy_pj(r.ops) / static_cast<double>(std::max<std::size_t>(r.test_questions, 1)) /
                       static_cast<double>(tasks);
        }
      const double float_total = [&] {
        for (std::size_t c = 0; c < schemes; ++c)
          if (results[c * tasks].scheme == "float") return totals[c];
        return 0.0;
      }();
      for (std::size_t c = 0; c < schemes; ++c) {
        std::printf("%16s", results[c * tasks].scheme.c_str());
        for (std::size_t k = 0; k < qmann::energy::components; ++k) {
          double part = 0.0;
          for (std::size_t t = 0; t < tasks; ++t) {
            const auto& r = results[c * tasks + t];
            part += table.energy_pj(r.ops, static_cast<qmann::energy::component>(k)) /
                    static_cast<double>(std::max<std::size_t>(r.test_questions, 1)) / static_cast<double>(tasks);
          }
          std::printf(" | %10.1f", part);
        }
        if (float_total > 0) std::printf(" | %10.1f | %12.1fx\n", totals[c], float_total / totals[c]);
        else std::printf(" | %10.1f | %13s\n", totals[c], "(no float)");
      }
    }
    for (const auto& t : data) questions += t.train.size();
    std::printf("\n%.1f s wall clock for training on %zu thread(s) "
                "(%.1f s summed over tasks and schemes, %.2f us per training question and epoch)\n",
                wall, o.threads, seconds_sum,
                1e6 * seconds_sum / static_cast<double>(questions * (o.epochs + o.ls_epochs) * o.runs * schemes));
    if (!o.save.empty()) {
      std::vector<qmann::io::stored_model> models;
      for (auto& r : results)
        if (r.model) models.push_back(std::move(*r.model));
      qmann::io::save_models(o.save, o.schemes.front(), models);
      std::printf("saved %zu model(s) to %s\n", models.size(), o.save.c_str());
    }
    if (!o.json.empty()) write_json(o.json, results);
    return 0;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "babi_qa: %s (see babi_qa --help)\n", e.what());
    return 2;
  } catch (const qmann::io::model_file_error& e) {
    std::fprintf(stderr, "babi_qa: %s\n", e.what());
    return 2;
  } catch (const qmann::data::babi_error& e) {
    std::fprintf(stderr, "babi_qa: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "babi_qa: %s\n", e.what());
    return 2;
  }
}
