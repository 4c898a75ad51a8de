// Filter::matches and matches_any: the NIP-01 matching rules.
#include "nostr/filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_events.h"

namespace {
using test_support::make_event;
using test_support::test_key;

const std::string kIdA(64, 'a');
const std::string kIdB(64, 'b');

nostr::TagCondition tag(char letter, std::vector<std::string> values) {
    nostr::TagCondition cond;
    cond.letter = letter;
    cond.values = std::move(values);
    return cond;
}

class FilterTest : public ::testing::Test {
  protected:
    nostr::KeyPair alice_ = test_key(11);
    nostr::KeyPair bob_ = test_key(12);
    nostr::Event note_ = make_event(alice_, 1, 1000,
                                    {{"e", kIdA, kIdB, "reply"},
                                     {"p", "bob"},
                                     {"t", "nostr"},
                                     {"t", "cpp"},
                                     {"E", "upper"},
                                     {"ee", "long-name"},
                                     {"r"}},
                                    "hello");
    nostr::Event reaction_ = make_event(bob_, 7, 2000, {{"e", kIdB}}, "+");
};

TEST_F(FilterTest, EmptyFilterMatchesEverything) {
    nostr::Filter any;
    EXPECT_TRUE(any.matches(note_));
    EXPECT_TRUE(any.matches(reaction_));
    EXPECT_FALSE(any.is_unsatisfiable());
}

TEST_F(FilterTest, IdsMatchExactly) {
    nostr::Filter filter;
    filter.ids = {note_.id};
    EXPECT_TRUE(filter.matches(note_));
    EXPECT_FALSE(filter.matches(reaction_));
    nostr::Bytes32 almost = note_.id;
    almost[31] ^= 1;
    filter.ids = {almost};
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, AuthorsMatchExactly) {
    nostr::Filter filter;
    filter.authors = {alice_.pubkey};
    EXPECT_TRUE(filter.matches(note_));
    EXPECT_FALSE(filter.matches(reaction_));
    filter.authors = {bob_.pubkey, alice_.pubkey};
    filter.normalize();
    EXPECT_TRUE(filter.matches(note_));
    EXPECT_TRUE(filter.matches(reaction_));
}

TEST_F(FilterTest, KindsMatchExactly) {
    nostr::Filter filter;
    filter.kinds = {1};
    EXPECT_TRUE(filter.matches(note_));
    EXPECT_FALSE(filter.matches(reaction_));
    filter.kinds = {7};
    EXPECT_FALSE(filter.matches(note_));
    EXPECT_TRUE(filter.matches(reaction_));
    filter.kinds = {6, 8};
    EXPECT_FALSE(filter.matches(reaction_));
}

TEST_F(FilterTest, UnsortedListsMatchAfterNormalize) {
    nostr::Filter filter;
    filter.kinds = {9, 7, 1, 7, 3, 40000};
    filter.authors = {bob_.pubkey, test_key(13).pubkey, alice_.pubkey, bob_.pubkey};
    filter.tags = {tag('t', {"zzz", "nostr", "aaa", "nostr"})};
    filter.normalize();
    EXPECT_EQ(*filter.kinds, (std::vector<uint32_t>{1, 3, 7, 9, 40000}));
    EXPECT_EQ(filter.authors->size(), 3u);
    EXPECT_EQ(filter.tags[0].values, (std::vector<std::string>{"aaa", "nostr", "zzz"}));
    EXPECT_TRUE(filter.matches(note_));
    filter.tags.clear();
    EXPECT_TRUE(filter.matches(reaction_));
}

TEST_F(FilterTest, ConditionsAreAndedTogether) {
    nostr::Filter filter;
    filter.authors = {alice_.pubkey};
    filter.kinds = {7};
    EXPECT_FALSE(filter.matches(note_));
    EXPECT_FALSE(filter.matches(reaction_));
    filter.kinds = {1};
    EXPECT_TRUE(filter.matches(note_));
    filter.since = 1001;
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, TagConditionMatchesOnlyTheFirstValue) {
    nostr::Filter filter;
    filter.tags = {tag('e', {kIdA})};
    EXPECT_TRUE(filter.matches(note_));
    // kIdB is the note's e tag's second value, not its first: no match.
    filter.tags = {tag('e', {kIdB})};
    EXPECT_FALSE(filter.matches(note_));
    EXPECT_TRUE(filter.matches(reaction_));
    filter.tags = {tag('e', {"reply"})};
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, TagConditionLooksAtEveryTagWithTheLetter) {
    nostr::Filter filter;
    filter.tags = {tag('t', {"cpp"})};  // the second "t" tag
    EXPECT_TRUE(filter.matches(note_));
}

TEST_F(FilterTest, TagLetterIsCaseSensitiveAndSingleLetter) {
    nostr::Filter filter;
    filter.tags = {tag('e', {"upper"})};
    EXPECT_FALSE(filter.matches(note_));
    filter.tags = {tag('E', {"upper"})};
    EXPECT_TRUE(filter.matches(note_));
    filter.tags = {tag('e', {"long-name"})};  // the "ee" tag is not an "e" tag
    EXPECT_FALSE(filter.matches(note_));
    filter.tags = {tag('p', {"upper"})};  // the value under another letter
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, ValuesOfOneLetterAreOred) {
    nostr::Filter filter;
    filter.tags = {tag('t', {"bitcoin", "nostr"})};
    EXPECT_TRUE(filter.matches(note_));
    filter.tags = {tag('t', {"bitcoin", "rust"})};
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, LettersAreAnded) {
    nostr::Filter filter;
    filter.tags = {tag('e', {kIdA}), tag('p', {"bob"})};
    EXPECT_TRUE(filter.matches(note_));
    filter.tags = {tag('e', {kIdA}), tag('p', {"carol"})};
    EXPECT_FALSE(filter.matches(note_));
    filter.tags = {tag('p', {"carol"}), tag('e', {kIdA})};
    EXPECT_FALSE(filter.matches(note_));
    filter.tags = {tag('e', {kIdA}), tag('p', {"bob"}), tag('x', {"absent"})};
    EXPECT_FALSE(filter.matches(note_));
}

TEST_F(FilterTest, TagsWithFewerThanTwoElementsNeverMatch) {
    // The note has an ["r"] tag with no value.
    nostr::Filter filter;
    filter.tags = {tag('r', {""})};
    EXPECT_FALSE(filter.matches(note_));
    nostr::Event only_names = make_event(alice_, 1, 1000, {{"r"}, {"e"}, {}}, "");
    filter.tags = {tag('e', {""})};
    EXPECT_FALSE(filter.matches(only_names));
    filter.tags = {tag('r', {"", "r"})};
    EXPECT_FALSE(filter.matches(only_names));
}

TEST_F(FilterTest, EmptyValueMatchesATagWhoseValueIsEmpty) {
    nostr::Event empty_value = make_event(alice_, 1, 1000, {{"d", ""}}, "");
    nostr::Filter filter;
    filter.tags = {tag('d', {""})};
    EXPECT_TRUE(filter.matches(empty_value));
}

TEST_F(FilterTest, SinceAndUntilAreInclusive) {
    nostr::Filter filter;
    filter.since = 1000;
    EXPECT_TRUE(filter.matches(note_));
    filter.since = 1001;
    EXPECT_FALSE(filter.matches(note_));
    filter.since = 999;
    EXPECT_TRUE(filter.matches(note_));

    filter = {};
    filter.until = 1000;
    EXPECT_TRUE(filter.matches(note_));
    filter.until = 999;
    EXPECT_FALSE(filter.matches(note_));
    filter.until = 1001;
    EXPECT_TRUE(filter.matches(note_));

    filter.since = 1000;
    filter.until = 1000;
    EXPECT_TRUE(filter.matches(note_));
    EXPECT_FALSE(filter.matches(reaction_));
    EXPECT_FALSE(filter.is_unsatisfiable());
    filter.since = 1001;
    EXPECT_FALSE(filter.matches(note_));
    EXPECT_TRUE(filter.is_unsatisfiable());
}

TEST_F(FilterTest, LimitDoesNotAffectMatching) {
    nostr::Filter filter;
    filter.limit = 0;
    EXPECT_TRUE(filter.matches(note_));
}

TEST_F(FilterTest, EmptyListsMatchNothing) {
    nostr::Filter ids, authors, kinds, tags;
    ids.ids.emplace();
    authors.authors.emplace();
    kinds.kinds.emplace();
    tags.tags = {tag('e', {})};
    for (const nostr::Filter* filter : {&ids, &authors, &kinds, &tags}) {
        EXPECT_FALSE(filter->matches(note_));
        EXPECT_FALSE(filter->matches(reaction_));
        EXPECT_TRUE(filter->is_unsatisfiable());
    }
}

TEST_F(FilterTest, MatchesAnyIsAnOrOfFilters) {
    nostr::Filter notes, reactions, nothing;
    notes.kinds = {1};
    reactions.kinds = {7};
    nothing.kinds = {30023};
    EXPECT_TRUE(nostr::matches_any({notes, nothing}, note_));
    EXPECT_FALSE(nostr::matches_any({notes, nothing}, reaction_));
    EXPECT_TRUE(nostr::matches_any({nothing, reactions}, reaction_));
    EXPECT_TRUE(nostr::matches_any({notes, reactions}, note_));
    EXPECT_TRUE(nostr::matches_any({notes, reactions}, reaction_));
    EXPECT_FALSE(nostr::matches_any({nothing}, note_));
    EXPECT_FALSE(nostr::matches_any({}, note_));
}

TEST_F(FilterTest, MatchesHeaderAndMatchesTagsAgreeWithMatches) {
    nostr::Filter filter;
    filter.authors = {alice_.pubkey};
    filter.tags = {tag('t', {"cpp"})};
    EXPECT_TRUE(filter.matches_header(note_.id, note_.pubkey, note_.created_at, note_.kind));
    EXPECT_FALSE(filter.matches_header(reaction_.id, reaction_.pubkey, reaction_.created_at,
                                       reaction_.kind));
    EXPECT_TRUE(filter.matches_tags(
        [](char letter, const std::string& value) { return letter == 't' && value == "cpp"; }));
    EXPECT_FALSE(filter.matches_tags([](char, const std::string&) { return false; }));
}

}  // namespace
