# Por qué se rechazó una acción, tal como la página se lo explica al lector.

refusal-record-closed = { $record } está cerrado: todavía puede consultarlo, pero ya no puede comentar, añadir archivos ni responder.
refusal-external-cannot-change = Los colaboradores externos no pueden modificar expedientes ni ejecutar sus acciones.
refusal-task-not-open = Esta tarea ya no está abierta: ya se respondió o se retiró.
refusal-action-not-now = Esta acción no es posible en el estado actual del expediente.
refusal-no-seat = No hay ninguna licencia libre: las { $seats } licencias están en uso.
refusal-no-seat-now = No hay ninguna licencia libre: otra solicitud ocupó la última.
refusal-response-required = Escriba una respuesta antes de enviarla.
refusal-response-too-long = La respuesta puede tener como máximo { $max } caracteres.
refusal-checklist-completed = La lista de verificación «{ $name }» está completada y ya no se puede modificar.
refusal-checklist-unanswered = { $missing ->
    [one] La lista de verificación «{ $name }» aún no se puede completar: una pregunta no tiene respuesta.
   *[other] La lista de verificación «{ $name }» aún no se puede completar: { $missing } preguntas no tienen respuesta.
}
refusal-checklist-too-many-answers = La lista de verificación «{ $name }» tiene { $questions } preguntas, pero se dieron { $answers } respuestas.
refusal-file-type = No se acepta este tipo de archivo. Se aceptan: { $accepted }.
refusal-file-not-valid = El archivo no es un archivo { $type } válido.
refusal-file-name = El nombre del archivo puede tener como máximo { $max } caracteres.
refusal-file-empty = El archivo está vacío.
refusal-file-too-large = El archivo supera los { $megabytes } MB.
refusal-file-choose = Elija un archivo para subir.
refusal-subject-required = Introduzca un asunto.
refusal-subject-too-long = El asunto puede tener como máximo { $max } caracteres.
refusal-text-required = Escriba un texto antes de enviarlo.
refusal-text-too-long = El texto puede tener como máximo { $max } caracteres.
refusal-changed-meanwhile = { $record } se modificó entretanto y ahora requiere otra firma. No se ha cambiado nada; vuelva a intentarlo.
refusal-signature-password = La contraseña no es correcta: no se ha firmado ni cambiado nada.
refusal-password-too-short = La contraseña debe tener al menos { $min } caracteres.
refusal-password-too-long = La contraseña puede tener como máximo { $max } caracteres.
refusal-password-is-username = La contraseña no puede ser su nombre de usuario ni su correo electrónico.
refusal-password-weak = Esta contraseña es demasiado fácil de adivinar. Use varias palabras poco comunes o una combinación más larga de letras, números y signos.
refusal-current-password = La contraseña actual no es correcta.
refusal-password-unchanged = La nueva contraseña debe ser distinta de la actual.
refusal-username-required = Introduzca su nombre de usuario o su correo electrónico.
refusal-link-gone = Este enlace ya se ha utilizado o ha caducado. Pida una nueva invitación a su contacto.
refusal-too-many-attempts = { $minutes ->
    [one] Demasiados intentos. Vuelva a intentarlo dentro de un minuto.
   *[other] Demasiados intentos. Vuelva a intentarlo dentro de { $minutes } minutos.
}
