/*
 * Tandem knowledge checks: score multiple-choice questions in the browser.
 *
 * Progressive enhancement of templates/cms/blocks/knowledge_check.html. Without this script the
 * questions, answers and feedback are all readable (the answers sit in a <details> under each
 * question). With it, the "Check my answers" button appears; pressing it marks every question
 * in words ("Correct" / "Not quite"), shows the feedback for the chosen answer, and announces
 * the score through the form's status message. Nothing is sent anywhere.
 *
 * An external file, never inline: the site's Content-Security-Policy does not allow inline
 * scripts. Safe to load more than once (each form is set up once).
 */
(function () {
  "use strict";

  function setText(element, text) {
    element.textContent = text;
    element.hidden = text === "";
  }

  function markQuestion(question) {
    var chosen = question.querySelector("input[type=radio]:checked");
    var result = question.querySelector("[data-kc-result]");
    question.classList.remove("is-correct", "is-incorrect", "is-unanswered");
    if (!chosen) {
      question.classList.add("is-unanswered");
      setText(result, "You have not answered this question.");
      return false;
    }
    var correct = chosen.getAttribute("data-correct") === "true";
    question.classList.add(correct ? "is-correct" : "is-incorrect");
    var verdict = correct ? "Correct. " : "Not quite. ";
    setText(result, verdict + (chosen.getAttribute("data-feedback") || ""));
    return correct;
  }

  function score(form) {
    var questions = form.querySelectorAll("[data-kc-question]");
    var right = 0;
    for (var i = 0; i < questions.length; i++) {
      if (markQuestion(questions[i])) {
        right += 1;
      }
    }
    var total = questions.length;
    var message = "You answered " + right + " of " + total + " question" +
      (total === 1 ? "" : "s") + " correctly.";
    if (right < total) {
      message += " Read the feedback under each question, or open \u201cShow the answer\u201d.";
    }
    // Clear first so that a repeated identical score is announced again by screen readers.
    var status = form.querySelector("[data-kc-score]");
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function setUp(form) {
    if (form.getAttribute("data-kc-ready") === "true") {
      return;
    }
    form.setAttribute("data-kc-ready", "true");
    var submit = form.querySelector("[data-kc-submit]");
    if (submit) {
      submit.hidden = false;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      score(form);
    });
  }

  function init() {
    var forms = document.querySelectorAll("[data-kc-form]");
    for (var i = 0; i < forms.length; i++) {
      setUp(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
