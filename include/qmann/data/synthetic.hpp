// A small bAbI-like data set generated in code, so that examples and tests
// run on machines without the real bAbI files. It imitates three of the real
// tasks -- their people, places, objects, verbs and story structure -- in
// the same text format, and parse_babi reads it like a real file.
//
// Stories hold 3-5 questions, each after 2-3 new statements (a few more for
// task 2 when no object's place is known yet); ids restart at 1 per story;
// supporting ids name the statements that determine the answer, in the
// order the real data gives them. The text depends only on (task,
// questions, seed): the generator is splitmix64 and every choice is derived
// from its raw 64-bit draws, so it is the same on every platform and
// standard library (std::uniform_int_distribution is not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qmann::data {

namespace detail {

// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): one 64-bit add and a mixing function per draw.
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  /// A draw in [0, n), n > 0. The modulo bias (below n / 2^64) is irrelevant here.
  std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

// The vocabulary of the real tasks 1, 2 and 6.
inline constexpr std::string_view synthetic_people[] = {"Mary", "John", "Daniel", "Sandra"};
inline constexpr std::string_view synthetic_locations[] = {"bathroom", "hallway", "garden",
                                                           "office",   "bedroom", "kitchen"};
inline constexpr std::string_view synthetic_objects[] = {"football", "apple", "milk"};
inline constexpr std::string_view synthetic_moves[] = {"moved to", "went to", "went back to", "journeyed to",
                                                       "travelled to"};
inline constexpr std::string_view synthetic_pickups[] = {"got", "picked up", "grabbed", "took"};
inline constexpr std::string_view synthetic_drops[] = {"dropped", "discarded", "put down", "left"};

inline constexpr std::size_t synthetic_person_count = std::size(synthetic_people);
inline constexpr std::size_t synthetic_location_count = std::size(synthetic_locations);
inline constexpr std::size_t synthetic_object_count = std::size(synthetic_objects);

// One story: the state of its little world (who is where, who holds what)
// and the lines written so far. Every statement changes the state the way
// its text says, so every question's answer follows from the story.
class synthetic_story {
 public:
  synthetic_story(splitmix64& random, std::string& out) : random_(random), out_(out) {}

  /// One statement of `task`: moves only for task 1; for tasks 2 and 6 also
  /// picking up and dropping objects (task 6's only as distractors).
  void statement(int task) {
    const std::size_t kind = random_.below(10);
    if (task == 2 && kind >= 5 && (kind < 8 ? pick_up() : drop())) return;
    if (task == 6 && kind >= 7 && (kind < 9 ? pick_up() : drop())) return;
    move(random_.below(synthetic_person_count));
  }

  /// One question of `task` about the current state.
  void ask(int task) {
    if (task == 2)
      ask_object();
    else
      ask_person(task == 6);
  }

 private:
  static constexpr std::size_t unknown = static_cast<std::size_t>(-1);  // no place, no holder

  // Writes "<id> " and `parts`; the caller then advances next_id_.
  void line(std::initializer_list<std::string_view> parts) {
    (out_ += std::to_string(next_id_)) += ' ';
    for (const std::string_view part : parts) out_ += part;
  }

  template <std::size_t N>
  std::string_view any(const std::string_view (&words)[N]) {
    return words[random_.below(N)];
  }

  void move(std::size_t person) {
    std::size_t to = random_.below(synthetic_location_count);
    if (location_[person] != unknown)  // somewhere else
      to = (location_[person] + 1 + random_.below(synthetic_location_count - 1)) % synthetic_location_count;
    line({synthetic_people[person], " ", any(synthetic_moves), " the ", synthetic_locations[to], ".\n"});
    location_[person] = to;
    last_move_[person] = next_id_++;
  }

  // A person picks up a free object: one never placed yet, or one lying
  // where the person is. False when no one can.
  bool pick_up() {
    std::vector<std::size_t> pairs;  // person * objects + object
    for (std::size_t p = 0; p < synthetic_person_count; ++p)
      for (std::size_t o = 0; o < synthetic_object_count; ++o)
        if (holder_[o] == unknown && (place_[o] == unknown || place_[o] == location_[p]))
          pairs.push_back(p * synthetic_object_count + o);
    if (pairs.empty()) return false;
    const std::size_t pair = pairs[random_.below(pairs.size())];
    pick_up(pair / synthetic_object_count, pair % synthetic_object_count);
    return true;
  }

  void pick_up(std::size_t person, std::size_t object) {
    line({synthetic_people[person], " ", any(synthetic_pickups), " the ", synthetic_objects[object], " there.\n"});
    holder_[object] = person;
    place_[object] = unknown;
    object_line_[object] = next_id_++;
  }

  // A person whose place is known drops an object they hold. False when no one can.
  bool drop() {
    std::vector<std::size_t> objects;
    for (std::size_t o = 0; o < synthetic_object_count; ++o)
      if (holder_[o] != unknown && location_[holder_[o]] != unknown) objects.push_back(o);
    if (objects.empty()) return false;
    const std::size_t object = objects[random_.below(objects.size())];
    const std::size_t person = holder_[object];
    line({synthetic_people[person], " ", any(synthetic_drops), " the ", synthetic_objects[object], ".\n"});
    holder_[object] = unknown;
    place_[object] = location_[person];
    drop_move_[object] = last_move_[person];
    object_line_[object] = next_id_++;
    return true;
  }

  void question(std::string_view text, std::string_view answer, std::size_t support, std::size_t support2) {
    // "? \t": the real files put a space before the tab of most questions.
    line({text, " \t", answer, "\t", std::to_string(support)});
    if (support2 != 0) (out_ += ' ') += std::to_string(support2);
    out_ += '\n';
    ++next_id_;
  }

  // Task 1: "Where is Mary?"; task 6: "Is Mary in the office?" (yes or no,
  // half the time each). Asked about someone whose place is known.
  void ask_person(bool yes_no) {
    std::vector<std::size_t> known;
    for (std::size_t p = 0; p < synthetic_person_count; ++p)
      if (location_[p] != unknown) known.push_back(p);
    if (known.empty()) {  // only objects moved so far
      move(random_.below(synthetic_person_count));
      return ask_person(yes_no);
    }
    const std::size_t person = known[random_.below(known.size())];
    const std::string name(synthetic_people[person]);
    if (!yes_no)
      return question("Where is " + name + "?", synthetic_locations[location_[person]], last_move_[person], 0);
    std::size_t asked = location_[person];
    if (random_.below(2) == 1)
      asked = (asked + 1 + random_.below(synthetic_location_count - 1)) % synthetic_location_count;
    question("Is " + name + " in the " + std::string(synthetic_locations[asked]) + "?",
             asked == location_[person] ? "yes" : "no", last_move_[person], 0);
  }

  bool object_known(std::size_t o) const noexcept {
    return holder_[o] != unknown ? location_[holder_[o]] != unknown : place_[o] != unknown;
  }

  // Task 2: "Where is the football?", about an object whose place follows
  // from the story: held by someone whose place is known (supported by the
  // pick-up and that person's last move), or dropped somewhere (the drop and
  // the dropper's move before it).
  void ask_object() {
    std::vector<std::size_t> known;
    for (std::size_t o = 0; o < synthetic_object_count; ++o)
      if (object_known(o)) known.push_back(o);
    if (known.empty()) {  // make one known: move a holder, or pick up and move
      std::size_t holder = unknown;
      for (std::size_t o = 0; o < synthetic_object_count && holder == unknown; ++o) holder = holder_[o];
      if (holder == unknown) {  // nothing held and nothing placed: every object is free
        holder = random_.below(synthetic_person_count);
        pick_up(holder, random_.below(synthetic_object_count));
      }
      if (location_[holder] == unknown) move(holder);
      return ask_object();
    }
    const std::size_t object = known[random_.below(known.size())];
    const std::string text = "Where is the " + std::string(synthetic_objects[object]) + "?";
    if (holder_[object] != unknown) {
      const std::size_t person = holder_[object];
      question(text, synthetic_locations[location_[person]], object_line_[object], last_move_[person]);
    } else {
      question(text, synthetic_locations[place_[object]], object_line_[object], drop_move_[object]);
    }
  }

  splitmix64& random_;
  std::string& out_;
  std::size_t next_id_ = 1;
  std::size_t location_[synthetic_person_count] = {unknown, unknown, unknown, unknown};
  std::size_t last_move_[synthetic_person_count] = {};  // line id of each person's last move
  std::size_t holder_[synthetic_object_count] = {unknown, unknown, unknown};
  std::size_t place_[synthetic_object_count] = {unknown, unknown, unknown};  // where a dropped object lies
  std::size_t object_line_[synthetic_object_count] = {};  // its last pick-up or drop
  std::size_t drop_move_[synthetic_object_count] = {};    // the dropper's move before the drop
};

}  // namespace detail

/// bAbI-format text of `questions` questions of a synthetic task, deterministic in `seed`:
///   1  single supporting fact ("Mary moved to the bathroom." ... "Where is Mary?" -> bathroom)
///   2  two supporting facts (people pick up / drop objects and move; "Where is the football?")
///   6  yes/no questions ("Is Daniel in the office?" -> yes/no)
/// The last story may hold fewer than 3 questions; 0 questions give "" (which
/// parse_babi rejects: no questions). Throws std::invalid_argument for another task.
inline std::string synthetic_babi(int task, std::size_t questions, std::uint64_t seed) {
  if (task != 1 && task != 2 && task != 6)
    throw std::invalid_argument("qmann::data::synthetic_babi: no synthetic task " + std::to_string(task) +
                                " (tasks 1, 2 and 6 exist)");
  // Each task draws from its own stream, so task 1 and task 6 differ for one seed.
  detail::splitmix64 random(seed ^ (0xD1B54A32D192ED03ull * static_cast<std::uint64_t>(task)));
  std::string out;
  for (std::size_t asked = 0; asked < questions;) {
    detail::synthetic_story story(random, out);
    std::size_t in_story = 3 + random.below(3);
    if (in_story > questions - asked) in_story = questions - asked;
    for (std::size_t k = 0; k < in_story; ++k, ++asked) {
      const std::size_t statements = 2 + random.below(2);
      for (std::size_t s = 0; s < statements; ++s) story.statement(task);
      story.ask(task);
    }
  }
  return out;
}

/// The tasks synthetic_babi generates.
inline constexpr int synthetic_tasks[] = {1, 2, 6};

}  // namespace qmann::data
